/*
 * boxroom-clipboard: the room agent's hold on the room's selections.
 *
 *   boxroom-clipboard --display :99 [--max-bytes 131072]
 *
 * x11vnc (Debian's 0.9.16) ignores the RFB extended clipboard and a controller's ClientCutText changed
 * no selection, so the agent owns the selections itself, through this program:
 *   - stdin, from the agent: frames of a 4-byte big-endian length and that many bytes of UTF-8. Each
 *     one becomes the text of CLIPBOARD and PRIMARY (this program owns both and answers every
 *     request: TARGETS, UTF8_STRING, text/plain;charset=utf-8, TEXT, STRING as Latin-1, TIMESTAMP).
 *   - stdout, to the agent: frames of a 1-byte kind, a 4-byte big-endian length and the payload.
 *       'R'  ready (no payload): the display is open and CLIPBOARD is watched
 *       'C'  CLIPBOARD has a new owner and this is its text, UTF-8
 *       'X'  CLIPBOARD has a new owner whose text could not be had; the payload says why (ASCII)
 *       'P'  a frame from stdin is CLIPBOARD and PRIMARY now (no payload), one per frame, in order
 *       'F'  a frame from stdin could not be made the selections; the payload says why (ASCII)
 *     A change is heard as an XFixes selection-owner event, never by polling; the text is fetched
 *     from the new owner as UTF8_STRING (STRING if it has no UTF-8), INCR transfers included. Our own
 *     ownership (a paste from the controller) is not reported back.
 * Text longer than --max-bytes is refused in both directions ('X' "too large"). Ownership set here
 * ends when this program does (X drops a gone client's selections): the agent restarts it.
 *
 * Exit status: 0 when stdin closes, 1 on a setup or X connection error.
 * Build: cc -O2 -o boxroom-clipboard boxroom-clipboard.c -lX11 -lXfixes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>

/* An owner that starts an INCR transfer and stops sending is dropped after this long. */
#define TRANSFER_TIMEOUT_MS 5000

static const char *prog = "boxroom-clipboard";

static Display *dpy;
static Window win;
static Atom a_clipboard, a_targets, a_utf8, a_text, a_plain_utf8, a_timestamp, a_incr, a_prop;
static size_t max_bytes = 128 * 1024;

/* what we own: the controller's last paste */
static char *owned_text;
static size_t owned_len;
static Time owned_time;
static int own_clipboard, own_primary;

/* the transfer from another owner under way, if any */
static struct {
  int active, incr, too_large;
  Atom tried;      /* the target asked for */
  char *buf;
  size_t len;
  Atom type;       /* UTF8_STRING or STRING */
  long deadline_ms;
} in;

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void write_all(const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(1, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(0); /* the agent is gone */
    }
    c += w;
    n -= (size_t)w;
  }
}

static void emit(char kind, const void *payload, size_t n) {
  unsigned char h[5] = {(unsigned char)kind, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                        (unsigned char)(n >> 8), (unsigned char)n};
  write_all(h, 5);
  if (n > 0) write_all(payload, n);
}

static void refuse(const char *why) { emit('X', why, strlen(why)); }

static void transfer_reset(void) {
  free(in.buf);
  memset(&in, 0, sizeof in);
}

/* STRING is Latin-1 (ICCCM): each byte is one code point below 256. */
static char *latin1_to_utf8(const unsigned char *s, size_t n, size_t *out_len) {
  char *o = malloc(n * 2 + 1), *p = o;
  if (!o) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < 0x80) *p++ = (char)s[i];
    else {
      *p++ = (char)(0xc0 | (s[i] >> 6));
      *p++ = (char)(0x80 | (s[i] & 0x3f));
    }
  }
  *out_len = (size_t)(p - o);
  return o;
}

/* For a requestor that wants STRING: code points above 255 become '?'. */
static char *utf8_to_latin1(const unsigned char *s, size_t n, size_t *out_len) {
  char *o = malloc(n + 1), *p = o;
  if (!o) return NULL;
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + k > n) k = n - i;
    unsigned cp = k == 2 ? ((c & 0x1f) << 6) | (s[i + 1] & 0x3f) : c;
    *p++ = (k == 1 && c < 0x80) || (k == 2 && cp <= 0xff) ? (char)cp : '?';
    i += k;
  }
  *out_len = (size_t)(p - o);
  return o;
}

static Bool is_stamp(Display *d, XEvent *ev, XPointer arg) {
  (void)d;
  (void)arg;
  return ev->type == PropertyNotify && ev->xproperty.window == win && ev->xproperty.atom == a_timestamp;
}

/* A server timestamp for XSetSelectionOwner (ICCCM: never CurrentTime): a zero-length append to a
 * property of our window answers with a PropertyNotify that carries the server's time. */
static void take_ownership(char *text, size_t len) {
  XEvent ev;
  unsigned char none = 0;
  free(owned_text);
  owned_text = text;
  owned_len = len;
  XChangeProperty(dpy, win, a_timestamp, XA_INTEGER, 8, PropModeAppend, &none, 0);
  XIfEvent(dpy, &ev, is_stamp, NULL);
  owned_time = ev.xproperty.time;
  XSetSelectionOwner(dpy, a_clipboard, win, owned_time);
  XSetSelectionOwner(dpy, XA_PRIMARY, win, owned_time);
  own_clipboard = XGetSelectionOwner(dpy, a_clipboard) == win;
  own_primary = XGetSelectionOwner(dpy, XA_PRIMARY) == win;
  if (own_clipboard && own_primary) emit('P', NULL, 0);
  else {
    const char *why = "the room's selections could not be taken";
    fprintf(stderr, "%s: %s\n", prog, why);
    emit('F', why, strlen(why));
  }
}

static void answer(XSelectionRequestEvent *r) {
  XSelectionEvent reply = {.type = SelectionNotify, .display = r->display, .requestor = r->requestor,
                           .selection = r->selection, .target = r->target, .property = None,
                           .time = r->time};
  Atom prop = r->property != None ? r->property : r->target; /* obsolete clients name no property */
  int owned = (r->selection == a_clipboard && own_clipboard) || (r->selection == XA_PRIMARY && own_primary);
  if (owned && owned_text != NULL && (r->time == CurrentTime || r->time >= owned_time)) {
    if (r->target == a_targets) {
      Atom t[] = {a_targets, a_timestamp, a_utf8, a_plain_utf8, a_text, XA_STRING};
      XChangeProperty(dpy, r->requestor, prop, XA_ATOM, 32, PropModeReplace, (unsigned char *)t, 6);
      reply.property = prop;
    } else if (r->target == a_timestamp) {
      long t = (long)owned_time;
      XChangeProperty(dpy, r->requestor, prop, XA_INTEGER, 32, PropModeReplace, (unsigned char *)&t, 1);
      reply.property = prop;
    } else if (r->target == a_utf8 || r->target == a_text || r->target == a_plain_utf8) {
      Atom type = r->target == a_plain_utf8 ? a_plain_utf8 : a_utf8;
      XChangeProperty(dpy, r->requestor, prop, type, 8, PropModeReplace, (unsigned char *)owned_text,
                      (int)owned_len);
      reply.property = prop;
    } else if (r->target == XA_STRING) {
      size_t n;
      char *l1 = utf8_to_latin1((unsigned char *)owned_text, owned_len, &n);
      if (l1) {
        XChangeProperty(dpy, r->requestor, prop, XA_STRING, 8, PropModeReplace, (unsigned char *)l1, (int)n);
        free(l1);
        reply.property = prop;
      }
    }
  }
  XSendEvent(dpy, r->requestor, False, NoEventMask, (XEvent *)&reply);
}

static void ask(Atom target, Time t) {
  transfer_reset();
  in.active = 1;
  in.tried = target;
  in.deadline_ms = now_ms() + TRANSFER_TIMEOUT_MS;
  XDeleteProperty(dpy, win, a_prop);
  XConvertSelection(dpy, a_clipboard, target, a_prop, win, t);
}

static void finish(void) {
  if (in.too_large) refuse("too large");
  else if (in.type == XA_STRING) {
    size_t n;
    char *u = latin1_to_utf8((unsigned char *)in.buf, in.len, &n);
    if (u && n <= max_bytes) emit('C', u, n);
    else refuse("too large");
    free(u);
  } else emit('C', in.buf ? in.buf : "", in.len);
  transfer_reset();
}

/* Appends what the property holds (deleting it: for INCR that asks the owner for the next chunk);
 * returns the number of bytes it held. */
static long take_property(void) {
  Atom type;
  int format;
  unsigned long n, after;
  unsigned char *data = NULL;
  if (XGetWindowProperty(dpy, win, a_prop, 0, (long)(max_bytes / 4 + 2), True, AnyPropertyType, &type,
                         &format, &n, &after, &data) != Success)
    return -1;
  if (type == a_incr) {
    in.incr = 1;
    XFree(data);
    return 1; /* not the end: chunks follow */
  }
  size_t bytes = n * (size_t)(format / 8);
  if (after > 0) in.too_large = 1;
  if (!in.too_large && in.len + bytes > max_bytes) in.too_large = 1;
  if (!in.too_large && bytes > 0) {
    char *grown = realloc(in.buf, in.len + bytes);
    if (grown) {
      memcpy(grown + in.len, data, bytes);
      in.buf = grown;
      in.len += bytes;
    } else in.too_large = 1;
  }
  if (type != None) in.type = type;
  XFree(data);
  return (long)bytes;
}

static void on_selection_notify(XSelectionEvent *e) {
  if (!in.active || e->selection != a_clipboard) return;
  if (e->property == None) {
    if (in.tried == a_utf8) {
      ask(XA_STRING, e->time); /* an owner with Latin-1 only */
      return;
    }
    transfer_reset();
    refuse("the copied data is not text");
    return;
  }
  long got = take_property();
  if (got < 0) {
    transfer_reset();
    refuse("the copied text could not be read");
  } else if (!in.incr) finish();
  /* INCR: the chunks come as PropertyNotify NewValue on a_prop */
}

static void on_property(XPropertyEvent *e) {
  if (!in.active || !in.incr || e->atom != a_prop || e->state != PropertyNewValue) return;
  in.deadline_ms = now_ms() + TRANSFER_TIMEOUT_MS;
  long got = take_property();
  if (got < 0) {
    transfer_reset();
    refuse("the copied text could not be read");
  } else if (got == 0) finish(); /* a zero-length chunk ends an INCR transfer */
}

/* stdin: 4-byte length frames of UTF-8 */
static unsigned char hdr[4];
static size_t hdr_len, body_need, body_len;
static char *body;
static int discarding;

static int read_stdin(void) {
  unsigned char buf[65536];
  ssize_t n = read(0, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN ? 1 : 0;
  if (n == 0) return 0;
  for (ssize_t i = 0; i < n;) {
    if (hdr_len < 4) {
      hdr[hdr_len++] = buf[i++];
      if (hdr_len < 4) continue;
      body_need = ((size_t)hdr[0] << 24) | ((size_t)hdr[1] << 16) | ((size_t)hdr[2] << 8) | hdr[3];
      body_len = 0;
      discarding = body_need > max_bytes;
      body = discarding ? NULL : malloc(body_need + 1);
      if (!discarding && !body) discarding = 1;
    }
    size_t take = body_need - body_len;
    if (take > (size_t)(n - i)) take = (size_t)(n - i);
    if (!discarding) memcpy(body + body_len, buf + i, take);
    body_len += take;
    i += (ssize_t)take;
    if (body_len == body_need) {
      if (discarding) emit('F', "too large", 9);
      else take_ownership(body, body_len);
      body = NULL;
      hdr_len = 0;
    }
  }
  return 1;
}

static int on_x_error(Display *d, XErrorEvent *e) {
  char text[128];
  XGetErrorText(d, e->error_code, text, sizeof text);
  /* a requestor that vanished mid-answer, a property too large: not fatal */
  fprintf(stderr, "%s: X error %s (request %d)\n", prog, text, e->request_code);
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: %s --display :N [--max-bytes N]\n", prog);
  exit(1);
}

int main(int argc, char **argv) {
  const char *display = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--display") && i + 1 < argc) display = argv[++i];
    else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc) max_bytes = (size_t)atol(argv[++i]);
    else usage();
  }
  if (!display || max_bytes == 0) usage();
  dpy = XOpenDisplay(display);
  if (!dpy) {
    fprintf(stderr, "%s: cannot open display %s\n", prog, display);
    return 1;
  }
  int ev_base, err_base;
  if (!XFixesQueryExtension(dpy, &ev_base, &err_base)) {
    fprintf(stderr, "%s: the X server has no XFixes\n", prog);
    return 1;
  }
  XSetErrorHandler(on_x_error);
  win = XCreateSimpleWindow(dpy, DefaultRootWindow(dpy), -10, -10, 1, 1, 0, 0, 0);
  XSelectInput(dpy, win, PropertyChangeMask);
  a_clipboard = XInternAtom(dpy, "CLIPBOARD", False);
  a_targets = XInternAtom(dpy, "TARGETS", False);
  a_utf8 = XInternAtom(dpy, "UTF8_STRING", False);
  a_text = XInternAtom(dpy, "TEXT", False);
  a_plain_utf8 = XInternAtom(dpy, "text/plain;charset=utf-8", False);
  a_timestamp = XInternAtom(dpy, "TIMESTAMP", False);
  a_incr = XInternAtom(dpy, "INCR", False);
  a_prop = XInternAtom(dpy, "boxroom-selection", False);
  XFixesSelectSelectionInput(dpy, DefaultRootWindow(dpy), a_clipboard, XFixesSetSelectionOwnerNotifyMask);
  XSync(dpy, False);
  emit('R', NULL, 0);

  struct pollfd fds[2] = {{.fd = ConnectionNumber(dpy), .events = POLLIN}, {.fd = 0, .events = POLLIN}};
  for (;;) {
    while (XPending(dpy)) {
      XEvent ev;
      XNextEvent(dpy, &ev);
      if (ev.type == ev_base + XFixesSelectionNotify) {
        XFixesSelectionNotifyEvent *s = (XFixesSelectionNotifyEvent *)&ev;
        if (s->owner != None && s->owner != win) ask(a_utf8, s->selection_timestamp);
      } else if (ev.type == SelectionRequest) {
        answer(&ev.xselectionrequest);
      } else if (ev.type == SelectionClear) {
        if (ev.xselectionclear.selection == a_clipboard) own_clipboard = 0;
        if (ev.xselectionclear.selection == XA_PRIMARY) own_primary = 0;
      } else if (ev.type == SelectionNotify) {
        on_selection_notify(&ev.xselection);
      } else if (ev.type == PropertyNotify) {
        on_property(&ev.xproperty);
      }
    }
    XFlush(dpy);
    int timeout = -1;
    if (in.active) {
      long left = in.deadline_ms - now_ms();
      if (left <= 0) {
        transfer_reset();
        refuse("the program that copied did not hand over its text");
        continue;
      }
      timeout = (int)left;
    }
    if (poll(fds, 2, timeout) < 0 && errno != EINTR) return 1;
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!read_stdin()) return 0;
    }
    if (fds[0].revents & (POLLERR | POLLHUP)) {
      fprintf(stderr, "%s: lost the X connection\n", prog);
      return 1;
    }
  }
}
