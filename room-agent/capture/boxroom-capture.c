/*
 * boxroom-capture: captures an X screen only when it changes and encodes it (H.264, libx264) into an
 * FLV file on stdout.
 *
 *   boxroom-capture --display :99 --size 1280x720 --fps 30 --clock-base 1796360820.392
 *                   [--keyframe-ms 1000] [--maxrate-kbps N] [--bufsize-kbps N] [--keepalive-ms 500]
 *                   [--pointer-poll-ms 16] [--no-cursor] [--trace]
 *                   [--sound ffmpeg -f pulse ... pipe:3 --]
 *
 * It runs the command after --sound (up to its "--"), if any, beside it with stdin on /dev/null and
 * stdout on stderr (it writes to fd 3). One supervised unit: when the sound encoder ends on its own,
 * boxroom-capture ends too; except that the sound encoder sleeps on request: SIGUSR1 ends it (nobody
 * is listening: it costs about as much CPU as the rest of an idle room), SIGUSR2 starts it again,
 * writing a new FLV file into the same fd 3 (the agent reads that as a restart of the sound's file).
 * So boxroom-capture keeps fd 3 (close-on-exec).
 * The sound has a process of its own because ffmpeg 5.1 reads its inputs in one loop that waits for
 * the input whose output is furthest behind: with frames only on change that is the screen, and the
 * sound left in bursts with the keepalive frames, every 500 ms on a still screen.
 * It encodes a frame of the whole screen:
 *   - when DAMAGE reports a change on the root window, or the pointer moves (XQueryPointer every
 *     pointer-poll-ms: input injected through XTEST, as x11vnc and xdotool do, raises no XInput2 raw
 *     events, and other clients' windows take the motion events) or changes shape (XFixes cursor
 *     notify), at most fps frames a second. A change after a quiet spell is captured at once, not at
 *     the next slot of a fixed clock;
 *   - only the damaged bounding box is read from the server (XShmGetImage into a scratch segment),
 *     into a persistent bgr0 copy of the screen; the cursor (XFixesGetCursorImage, blended the way
 *     ffmpeg's x11grab -draw_mouse does) is drawn into it for the encode and then removed again;
 *   - only that box and the cursor's old and new boxes (widened to even coordinates) are converted
 *     into a persistent I420 copy, which is what the encoder reads (BT.601 limited range, as
 *     swscale's default for bgr0 -> yuv420p, so colours are what they were when ffmpeg converted);
 *   - when nothing changes, the last frame again, so timestamps keep flowing and keyframes keep their
 *     cadence: the gap grows by at most KEEPALIVE_GROWTH per frame, up to keepalive-ms (see there why
 *     it may not jump).
 * The encoder is the one ffmpeg ran (libx264 with its settings, ultrafast, zerolatency: no B-frames,
 * no lookahead, one frame in, its access unit out), in this process: no raw frame goes through a pipe and no second
 * program starts (Debian's ffmpeg spends ~100 ms of CPU in the dynamic loader at each start). Each
 * frame is stamped by the wall clock when it is encoded, in ms after --clock-base (seconds, the base
 * the sound's encoder subtracts too: one timeline for both files), and a keyframe is forced
 * keyframe-ms (less half a frame interval) after the last one. The FLV is laid out as ffmpeg's muxer
 * wrote it: a header with the video flag, onMetaData, the AVC sequence header, then one tag per frame
 * (AVCC NAL units), each written the moment it is encoded (x264's version SEI, which ffmpeg put in
 * the first frame, is left out, and so are the metadata's duration and data rate).
 * --trace prints one line per frame to stderr: how long the change waited for its slot, the read
 * from the server, the conversion, the encode and the write took (ms), and the pixels converted.
 *
 * Exit status: 0 after SIGTERM or SIGINT; 1 on a setup or X error, when stdout is closed, or when the
 * sound encoder ended on its own.
 * Build: cc -O2 -o boxroom-capture boxroom-capture.c -lX11 -lXext -lXdamage -lXfixes -lx264
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#include <x264.h>

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
/* Changes after a quiet spell may go out faster than fps for a moment (a token bucket of this many
 * frames, refilled at fps, and at least half a frame interval apart): a key press first hides
 * xterm's pointer, then draws the echo a few ms later, and the echo waited a whole frame interval
 * behind the pointer frame. Not closer than half an interval: see KEEPALIVE_GROWTH. */
#define BURST_FRAMES 2
/* Each gap between frames is at most this times the one before (then capped at keepalive-ms).
 * Chromium's MSE treats a decode-time step of more than twice the last frame's duration as a
 * discontinuity and drops frames up to the next keyframe; a live remuxer (mpegts.js and ours) can
 * only give a frame the duration of the gap before it. So a keepalive 500 ms after a 33 ms gap would
 * make the browser drop everything up to the next keyframe, changes included; 17, 27, 43, 68, 109, 175,
 * 280, 448, 500 ms does not (1.6, not 2: a frame is stamped when it is encoded, a few ms late). The
 * gap after a change is 1.6 times the one before it too: a frame or two later while the screen keeps
 * changing, up to keepalive-ms after a change that ended a quiet spell. So a player that held each
 * frame until the next one came would show such a change that late; neither browser's player does
 * (both draw it within a frame interval or two of its arrival: docs/decisions.md, "Firefox's frame
 * callbacks come late"). */
#define KEEPALIVE_GROWTH_NUM 8
#define KEEPALIVE_GROWTH_DEN 5

struct cursor_state {
  int x, y;                /* top-left on screen (position minus hotspot) */
  unsigned long serial;    /* XFixes cursor serial: changes with the shape */
  int w, h;
  uint32_t *argb;          /* premultiplied ARGB, w * h */
  int valid;
};

/* A box on screen, [x0, x1) x [y0, y1); empty when x0 >= x1 or y0 >= y1. */
struct box {
  int x0, y0, x1, y1;
};

struct capture {
  Display *dpy;
  Window root;
  int width, height;
  size_t frame_bytes;
  uint8_t *frame; /* the screen as last captured, bgr0, stride width * 4 */
  size_t yuv_bytes;
  uint8_t *yuv;        /* what is written: I420, Y then U then V, chroma (width+1)/2 x (height+1)/2 */
  struct box dirty;    /* read from the server since the last write, not converted yet */
  struct box drawn;    /* where the cursor was drawn into yuv at the last write */
  int use_shm;
  XShmSegmentInfo shm;
  XImage *scratch; /* shm image used for damaged rectangles */
  Damage damage;
  XserverRegion region;
  int damage_event, fixes_event;
  int draw_cursor;
  struct cursor_state cur;
  uint8_t *under; /* pixels under the drawn cursor, restored after the write */
};

static const char *prog = "boxroom-capture";
static volatile int x_error;
static pid_t sound_pid = -1;
static char **sound_argv;

/* Ends the sound encoder, if it runs: SIGTERM, then SIGKILL after a second; it holds fd 3, whose
 * end the agent waits for. */
static void end_sound(void) {
  if (sound_pid <= 0) return;
  kill(sound_pid, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(sound_pid, NULL, WNOHANG) == sound_pid) {
      sound_pid = -1;
      return;
    }
    usleep(10000);
  }
  kill(sound_pid, SIGKILL);
  waitpid(sound_pid, NULL, 0);
  sound_pid = -1;
}

/* Every exit goes through here: the sound encoder must not outlive the unit (PR_SET_PDEATHSIG is
 * the net for a SIGKILL of this process). */
static _Noreturn void finish(int status) {
  end_sound();
  exit(status);
}

static _Noreturn void die(const char *msg) {
  fprintf(stderr, "%s: %s\n", prog, msg);
  finish(1);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int on_x_error(Display *dpy, XErrorEvent *ev) {
  char text[128];
  XGetErrorText(dpy, ev->error_code, text, sizeof text);
  fprintf(stderr, "%s: X error: %s (request %d.%d)\n", prog, text, ev->request_code, ev->minor_code);
  x_error = 1;
  return 0;
}

static int on_x_io_error(Display *dpy) {
  (void)dpy;
  fprintf(stderr, "%s: lost the X display\n", prog);
  finish(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s --display :N --size WxH (even) --fps N --clock-base SECONDS [--keyframe-ms N] [--maxrate-kbps N]"
          " [--bufsize-kbps N] [--keepalive-ms N] [--pointer-poll-ms N] [--no-cursor] [--trace]"
          " [--sound sound encoder args... --]\n",
          prog);
  exit(2);
}

/* Shared memory the server writes into; removed at once so nothing leaks if we are killed. */
static int setup_shm(struct capture *c) {
  if (!XShmQueryExtension(c->dpy)) return 0;
  int scr = DefaultScreen(c->dpy);
  c->scratch = XShmCreateImage(c->dpy, DefaultVisual(c->dpy, scr), DefaultDepth(c->dpy, scr), ZPixmap,
                               NULL, &c->shm, c->width, c->height);
  if (!c->scratch) return 0;
  c->shm.shmid = shmget(IPC_PRIVATE, c->frame_bytes, IPC_CREAT | 0600);
  if (c->shm.shmid < 0) return 0;
  c->shm.shmaddr = c->scratch->data = shmat(c->shm.shmid, NULL, 0);
  c->shm.readOnly = False;
  if (c->shm.shmaddr == (char *)-1) return 0;
  x_error = 0;
  XShmAttach(c->dpy, &c->shm);
  XSync(c->dpy, False);
  shmctl(c->shm.shmid, IPC_RMID, NULL);
  return !x_error; /* e.g. the server runs in another IPC namespace */
}

static void box_add(struct box *b, int x0, int y0, int x1, int y1) {
  if (x0 >= x1 || y0 >= y1) return;
  if (b->x0 >= b->x1 || b->y0 >= b->y1) {
    *b = (struct box){x0, y0, x1, y1};
    return;
  }
  if (x0 < b->x0) b->x0 = x0;
  if (y0 < b->y0) b->y0 = y0;
  if (x1 > b->x1) b->x1 = x1;
  if (y1 > b->y1) b->y1 = y1;
}

/* Reads the rectangle into c->frame. */
static void grab_rect(struct capture *c, int x, int y, int w, int h) {
  if (w <= 0 || h <= 0) return;
  box_add(&c->dirty, x, y, x + w, y + h);
  size_t stride = (size_t)c->width * 4;
  if (c->use_shm) {
    /* the server packs rows at w * 4 bytes from the segment's start */
    c->scratch->width = w;
    c->scratch->height = h;
    c->scratch->bytes_per_line = w * 4;
    x_error = 0;
    if (!XShmGetImage(c->dpy, c->root, c->scratch, x, y, AllPlanes) || x_error) return;
    const uint8_t *src = (const uint8_t *)c->scratch->data;
    if (x == 0 && w == c->width) {
      memcpy(c->frame + (size_t)y * stride, src, (size_t)h * stride);
    } else {
      for (int row = 0; row < h; row++)
        memcpy(c->frame + (size_t)(y + row) * stride + (size_t)x * 4, src + (size_t)row * w * 4,
               (size_t)w * 4);
    }
  } else {
    XImage *img = XGetImage(c->dpy, c->root, x, y, w, h, AllPlanes, ZPixmap);
    if (!img) return;
    for (int row = 0; row < h; row++)
      memcpy(c->frame + (size_t)(y + row) * stride + (size_t)x * 4,
             img->data + (size_t)row * img->bytes_per_line, (size_t)w * 4);
    XDestroyImage(img);
  }
}

/* Takes the damage accumulated so far and reads its bounding box. */
static void grab_damage(struct capture *c) {
  XDamageSubtract(c->dpy, c->damage, None, c->region);
  int n = 0;
  XRectangle *r = XFixesFetchRegion(c->dpy, c->region, &n);
  if (!r) return;
  int x0 = c->width, y0 = c->height, x1 = 0, y1 = 0;
  for (int i = 0; i < n; i++) {
    if (r[i].x < x0) x0 = r[i].x;
    if (r[i].y < y0) y0 = r[i].y;
    if (r[i].x + r[i].width > x1) x1 = r[i].x + r[i].width;
    if (r[i].y + r[i].height > y1) y1 = r[i].y + r[i].height;
  }
  XFree(r);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > c->width) x1 = c->width;
  if (y1 > c->height) y1 = c->height;
  grab_rect(c, x0, y0, x1 - x0, y1 - y0);
}

/* One round trip; true when the pointer is somewhere else than at the last look. */
static int pointer_moved(struct capture *c, int *px, int *py) {
  Window root_ret, child;
  int x, y, wx, wy;
  unsigned int mask;
  if (!XQueryPointer(c->dpy, c->root, &root_ret, &child, &x, &y, &wx, &wy, &mask)) return 0;
  int moved = x != *px || y != *py;
  *px = x;
  *py = y;
  return moved;
}

/* Fetches the cursor; returns 1 when its position or shape differs from the last one drawn. */
static int update_cursor(struct capture *c) {
  if (!c->draw_cursor) return 0;
  XFixesCursorImage *ci = XFixesGetCursorImage(c->dpy);
  if (!ci) return 0;
  int x = ci->x - ci->xhot, y = ci->y - ci->yhot;
  int changed = !c->cur.valid || x != c->cur.x || y != c->cur.y || ci->cursor_serial != c->cur.serial;
  if (changed) {
    size_t n = (size_t)ci->width * ci->height;
    free(c->cur.argb);
    c->cur.argb = malloc(n * sizeof(uint32_t) + 1);
    if (!c->cur.argb) die("out of memory");
    /* XFixes hands out one long per pixel: on 64-bit hosts the ARGB sits in its low 32 bits */
    for (size_t i = 0; i < n; i++) c->cur.argb[i] = (uint32_t)ci->pixels[i];
    c->cur.x = x;
    c->cur.y = y;
    c->cur.w = ci->width;
    c->cur.h = ci->height;
    c->cur.serial = ci->cursor_serial;
    c->cur.valid = 1;
    free(c->under);
    c->under = malloc(n * 4 + 1);
    if (!c->under) die("out of memory");
  }
  XFree(ci);
  return changed;
}

/* Clipped cursor box on screen; 0 when it is entirely off screen. */
static int cursor_box(const struct capture *c, int *x0, int *y0, int *x1, int *y1) {
  if (!c->draw_cursor || !c->cur.valid) return 0;
  *x0 = c->cur.x < 0 ? 0 : c->cur.x;
  *y0 = c->cur.y < 0 ? 0 : c->cur.y;
  *x1 = c->cur.x + c->cur.w > c->width ? c->width : c->cur.x + c->cur.w;
  *y1 = c->cur.y + c->cur.h > c->height ? c->height : c->cur.y + c->cur.h;
  return *x0 < *x1 && *y0 < *y1;
}

/* premultiplied "over", as x11grab draws the pointer */
static inline uint8_t blend(unsigned dst, unsigned src, unsigned a) {
  unsigned v = dst * (255 - a) / 255 + src;
  return (uint8_t)(v > 255 ? 255 : v);
}

/* Blends the (premultiplied) cursor into the frame, keeping what was under it. */
static void draw_cursor(struct capture *c) {
  int x0, y0, x1, y1;
  if (!cursor_box(c, &x0, &y0, &x1, &y1)) return;
  size_t stride = (size_t)c->width * 4;
  uint8_t *save = c->under;
  for (int y = y0; y < y1; y++) {
    uint8_t *px = c->frame + (size_t)y * stride + (size_t)x0 * 4;
    memcpy(save, px, (size_t)(x1 - x0) * 4);
    save += (size_t)(x1 - x0) * 4;
    const uint32_t *src = c->cur.argb + (size_t)(y - c->cur.y) * c->cur.w + (x0 - c->cur.x);
    for (int x = x0; x < x1; x++, px += 4, src++) {
      uint32_t p = *src;
      unsigned a = p >> 24, r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
      if (a == 0) continue;
      if (a == 255) {
        px[0] = (uint8_t)b;
        px[1] = (uint8_t)g;
        px[2] = (uint8_t)r;
      } else {
        px[0] = blend(px[0], b, a);
        px[1] = blend(px[1], g, a);
        px[2] = blend(px[2], r, a);
      }
    }
  }
}

static void undraw_cursor(struct capture *c) {
  int x0, y0, x1, y1;
  if (!cursor_box(c, &x0, &y0, &x1, &y1)) return;
  size_t stride = (size_t)c->width * 4;
  const uint8_t *save = c->under;
  for (int y = y0; y < y1; y++) {
    memcpy(c->frame + (size_t)y * stride + (size_t)x0 * 4, save, (size_t)(x1 - x0) * 4);
    save += (size_t)(x1 - x0) * 4;
  }
}

/* BT.601 limited range in 15-bit fixed point: swscale's coefficients for rgb -> yuv (Y 16..235,
 * U and V 16..240), so a colour encodes as it did when ffmpeg converted the bgr0 frames. */
#define YUV_SHIFT 15
#define RY 8414
#define GY 16519
#define BY 3208
#define RU (-4857)
#define GU (-9535)
#define BU 14392
#define RV 14392
#define GV (-12052)
#define BV (-2340)

static inline uint8_t luma(const uint8_t *px) {
  return (uint8_t)((RY * px[2] + GY * px[1] + BY * px[0] + (16 << YUV_SHIFT) + (1 << (YUV_SHIFT - 1))) >>
                   YUV_SHIFT);
}

/* Converts a box of c->frame into c->yuv, widened to even coordinates: each chroma sample is the
 * mean of its 2x2 pixels (a row or column past an odd edge repeats the last one). */
static size_t convert_box(struct capture *c, struct box b) {
  if (b.x0 < 0) b.x0 = 0;
  if (b.y0 < 0) b.y0 = 0;
  if (b.x1 > c->width) b.x1 = c->width;
  if (b.y1 > c->height) b.y1 = c->height;
  if (b.x0 >= b.x1 || b.y0 >= b.y1) return 0;
  b.x0 &= ~1;
  b.y0 &= ~1;
  const int w = c->width, h = c->height, cw = (w + 1) / 2;
  const size_t stride = (size_t)w * 4;
  uint8_t *yp = c->yuv, *up = c->yuv + (size_t)w * h, *vp = up + (size_t)cw * ((h + 1) / 2);
  for (int y = b.y0; y < b.y1; y += 2) {
    const int y2 = y + 1 < h ? y + 1 : y;
    const uint8_t *r0 = c->frame + (size_t)y * stride, *r1 = c->frame + (size_t)y2 * stride;
    uint8_t *l0 = yp + (size_t)y * w, *l1 = yp + (size_t)y2 * w;
    uint8_t *u = up + (size_t)(y / 2) * cw, *v = vp + (size_t)(y / 2) * cw;
    for (int x = b.x0; x < b.x1; x += 2) {
      const int x2 = x + 1 < w ? x + 1 : x;
      const uint8_t *a = r0 + x * 4, *bb = r0 + x2 * 4, *cc = r1 + x * 4, *d = r1 + x2 * 4;
      l0[x] = luma(a);
      l0[x2] = luma(bb);
      l1[x] = luma(cc);
      l1[x2] = luma(d);
      const int bs = a[0] + bb[0] + cc[0] + d[0], gs = a[1] + bb[1] + cc[1] + d[1];
      const int rs = a[2] + bb[2] + cc[2] + d[2];
      /* sums of four: two more bits of shift */
      u[x / 2] = (uint8_t)((RU * rs + GU * gs + BU * bs + (128 << (YUV_SHIFT + 2)) + (1 << (YUV_SHIFT + 1))) >>
                           (YUV_SHIFT + 2));
      v[x / 2] = (uint8_t)((RV * rs + GV * gs + BV * bs + (128 << (YUV_SHIFT + 2)) + (1 << (YUV_SHIFT + 1))) >>
                           (YUV_SHIFT + 2));
    }
  }
  return (size_t)(((b.x1 - b.x0 + 1) & ~1) * ((b.y1 - b.y0 + 1) & ~1));
}

/* FLV (video only): tag types, and the first byte of a video tag's body (frame type << 4 | AVC). */
#define FLV_TAG_VIDEO 9
#define FLV_TAG_SCRIPT 18
#define FLV_AVC_KEY 0x17
#define FLV_AVC_INTER 0x27
#define FLV_TAG_HEADER 11

struct encoder {
  x264_t *x264;
  x264_picture_t pic;
  int64_t clock_base_ms;   /* wall clock of the stream's zero, shared with the sound's encoder */
  int64_t last_pts;        /* pts are strictly increasing (two frames in one ms get 1 ms apart) */
  int64_t last_key_pts;    /* pts of the last forced keyframe; -1 before the first */
  int64_t key_interval_ms; /* a keyframe when this much media time has passed since the last */
  int out;                 /* stdout: the agent's pipe */
};

static void put_u24(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 16);
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  put_u24(p + 1, v);
}

/* An FLV tag header: type, body size, timestamp (24 bits, then the upper 8), stream id 0. */
static void tag_header(uint8_t *p, int type, uint32_t body, int64_t ts_ms) {
  uint32_t ts = (uint32_t)ts_ms;
  p[0] = (uint8_t)type;
  put_u24(p + 1, body);
  put_u24(p + 4, ts & 0xffffff);
  p[7] = (uint8_t)(ts >> 24);
  put_u24(p + 8, 0);
}

/* Writes all of iov, however the socket or pipe splits it; stdout gone (EPIPE) ends the unit. */
static void writev_all(int fd, struct iovec *iov, int n) {
  while (n > 0) {
    ssize_t w = writev(fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "%s: stdout closed (%s)\n", prog, strerror(errno));
      finish(1);
    }
    while (n > 0 && (size_t)w >= iov->iov_len) {
      w -= (ssize_t)iov->iov_len;
      iov++;
      n--;
    }
    if (n > 0) {
      iov->iov_base = (uint8_t *)iov->iov_base + w;
      iov->iov_len -= (size_t)w;
    }
  }
}

/* One tag: header, body in up to two parts, and the size of the tag after it. */
static void write_tag(int fd, int type, int64_t ts_ms, const uint8_t *head, size_t head_len,
                      const uint8_t *body, size_t body_len) {
  uint8_t hdr[FLV_TAG_HEADER], prev[4];
  uint32_t size = (uint32_t)(head_len + body_len);
  tag_header(hdr, type, size, ts_ms);
  put_u32(prev, FLV_TAG_HEADER + size);
  struct iovec iov[4] = {{hdr, sizeof hdr}, {(void *)head, head_len}, {(void *)body, body_len}, {prev, 4}};
  writev_all(fd, iov, 4);
}

/* AMF0 for onMetaData: a number or a string entry of an ECMA array. */
static uint8_t *amf_key(uint8_t *p, const char *key) {
  size_t n = strlen(key);
  *p++ = (uint8_t)(n >> 8);
  *p++ = (uint8_t)n;
  memcpy(p, key, n);
  return p + n;
}

static uint8_t *amf_number(uint8_t *p, const char *key, double v) {
  p = amf_key(p, key);
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  *p++ = 0; /* number: a big-endian double */
  for (int i = 7; i >= 0; i--) *p++ = (uint8_t)(bits >> (i * 8));
  return p;
}

static uint8_t *amf_string(uint8_t *p, const char *key, const char *v) {
  p = amf_key(p, key);
  *p++ = 2;
  return amf_key(p, v); /* a string is its length and bytes, as a key is */
}

/* The file's start, as ffmpeg's FLV muxer wrote it for the picture alone: header (video flag),
 * onMetaData with the fields it wrote (the agent merges them with the sound's), and the AVC sequence
 * header (AVCDecoderConfigurationRecord of the SPS and PPS) at time 0. */
static void write_file_start(struct encoder *e, int width, int height, int fps) {
  static const uint8_t header[13] = {'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0};
  struct iovec iov = {(void *)header, sizeof header};
  writev_all(e->out, &iov, 1);

  uint8_t meta[256], *p = meta;
  *p++ = 2; /* the name, a bare string */
  p = amf_key(p, "onMetaData");
  *p++ = 8; /* ECMA array, then its (advisory) count */
  put_u32(p, 5);
  p += 4;
  p = amf_number(p, "width", width);
  p = amf_number(p, "height", height);
  p = amf_number(p, "framerate", fps);
  p = amf_number(p, "videocodecid", 7);
  p = amf_string(p, "encoder", "boxroom-capture (x264)");
  *p++ = 0;
  *p++ = 0;
  *p++ = 9;
  write_tag(e->out, FLV_TAG_SCRIPT, 0, meta, (size_t)(p - meta), NULL, 0);

  x264_nal_t *nals;
  int n;
  if (x264_encoder_headers(e->x264, &nals, &n) < 0) die("x264 gave no headers");
  const x264_nal_t *sps = NULL, *pps = NULL;
  for (int i = 0; i < n; i++) {
    if (nals[i].i_type == NAL_SPS) sps = &nals[i];
    if (nals[i].i_type == NAL_PPS) pps = &nals[i];
  }
  if (!sps || !pps) die("x264 gave no SPS or PPS");
  /* payloads carry a 4-byte length prefix (b_annexb = 0): the NAL unit follows it */
  const uint8_t *s = sps->p_payload + 4, *q = pps->p_payload + 4;
  size_t sn = (size_t)sps->i_payload - 4, qn = (size_t)pps->i_payload - 4;
  uint8_t rec[512];
  if (11 + sn + qn > sizeof rec || sn < 4) die("unexpected SPS or PPS size");
  p = rec;
  *p++ = FLV_AVC_KEY;
  *p++ = 0; /* AVC sequence header */
  put_u24(p, 0);
  p += 3;
  *p++ = 1;                     /* configurationVersion */
  *p++ = s[1];                  /* profile */
  *p++ = s[2];                  /* profile compatibility */
  *p++ = s[3];                  /* level */
  *p++ = 0xff;                  /* 4-byte NAL lengths */
  *p++ = 0xe1;                  /* one SPS */
  *p++ = (uint8_t)(sn >> 8);
  *p++ = (uint8_t)sn;
  memcpy(p, s, sn);
  p += sn;
  *p++ = 1; /* one PPS */
  *p++ = (uint8_t)(qn >> 8);
  *p++ = (uint8_t)qn;
  memcpy(p, q, qn);
  p += qn;
  write_tag(e->out, FLV_TAG_VIDEO, 0, rec, (size_t)(p - rec), NULL, 0);
}

/* The settings ffmpeg gave libx264 (encoder-argv.ts had them on its command line): ultrafast,
 * zerolatency, no B-frames, no scene-cut keyframes (keyframes come by time, encode_frame; x264's
 * keyint_max stays its default, 250, as ffmpeg left it), CRF 23 capped by the VBV, the nominal rate
 * for rate control, headers once (in the sequence header) and NAL units with length prefixes, as FLV
 * carries them. The pts (ms on the stream's clock) pass through to the output untouched. One frame
 * in, its access unit out: x264_encoder_delayed_frames() stays 0 (--trace prints it as "held"). */
static void open_encoder(struct encoder *e, const struct capture *c, int fps, int keyframe_ms,
                         int maxrate_kbps, int bufsize_kbps) {
  const int width = c->width, height = c->height, cw = (width + 1) / 2;
  x264_param_t p;
  if (x264_param_default_preset(&p, "ultrafast", "zerolatency") < 0) die("x264 has no ultrafast preset");
  p.i_log_level = X264_LOG_WARNING;
  p.i_width = width;
  p.i_height = height;
  p.i_csp = X264_CSP_I420;
  p.i_fps_num = (uint32_t)fps;
  p.i_fps_den = 1;
  /* zerolatency's b_vfr_input = 0, as ffmpeg left it: with 1, x264 holds each frame until the next
   * one comes (it takes a frame's duration from the next timestamp), a keepalive interval on a still
   * screen. Rate control then counts 1/fps per frame (and x264 ignores any time base). */
  p.i_bframe = 0;
  p.i_scenecut_threshold = 0;
  p.rc.i_rc_method = X264_RC_CRF;
  p.rc.f_rf_constant = 23;
  p.rc.i_vbv_max_bitrate = maxrate_kbps;
  p.rc.i_vbv_buffer_size = bufsize_kbps;
  p.b_repeat_headers = 0;
  p.b_annexb = 0;
  e->x264 = x264_encoder_open(&p);
  if (!e->x264) die("x264 refused the settings");
  x264_picture_init(&e->pic);
  e->pic.img.i_csp = X264_CSP_I420;
  e->pic.img.i_plane = 3;
  /* the planes of the persistent I420 copy: the picture x264 reads at every frame */
  e->pic.img.plane[0] = c->yuv;
  e->pic.img.plane[1] = c->yuv + (size_t)width * height;
  e->pic.img.plane[2] = e->pic.img.plane[1] + (size_t)cw * ((height + 1) / 2);
  e->pic.img.i_stride[0] = width;
  e->pic.img.i_stride[1] = e->pic.img.i_stride[2] = cw;
  e->last_pts = -1;
  e->last_key_pts = -1;
  e->key_interval_ms = keyframe_ms - (1000 + fps) / (2 * fps); /* less half a frame, rounded */
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / NS_PER_MS;
}

/* Encodes the I420 copy (x264 copies it in before it returns) and writes its tag. Returns the bytes. */
static size_t encode_frame(struct encoder *e) {
  int64_t pts = wall_ms() - e->clock_base_ms;
  if (pts <= e->last_pts) pts = e->last_pts + 1;
  e->last_pts = pts;
  e->pic.i_pts = pts;
  e->pic.i_type = X264_TYPE_AUTO;
  if (e->last_key_pts < 0 || pts - e->last_key_pts >= e->key_interval_ms) {
    e->pic.i_type = X264_TYPE_IDR;
    e->last_key_pts = pts;
  }
  x264_nal_t *nals;
  int n;
  x264_picture_t out;
  int bytes = x264_encoder_encode(e->x264, &nals, &n, &e->pic, &out);
  if (bytes < 0) die("x264 failed to encode a frame");
  if (bytes == 0) return 0; /* nothing out yet (never with zerolatency) */
  /* the NAL units of one frame are contiguous from the first one's payload */
  uint8_t head[5] = {out.b_keyframe ? FLV_AVC_KEY : FLV_AVC_INTER, 1};
  put_u24(head + 2, (uint32_t)(out.i_pts - out.i_dts));
  write_tag(e->out, FLV_TAG_VIDEO, out.i_dts, head, sizeof head, nals[0].p_payload, (size_t)bytes);
  return (size_t)bytes;
}

static double ms_since(int64_t t) { return (double)(now_ns() - t) / NS_PER_MS; }

struct frame_times {
  double convert_ms, encode_ms;
};

/* Converts what changed since the last frame (the damage, and the cursor where it was and where it
 * is: the old box gets back what is under it), encodes and writes the frame, and returns the pixels
 * converted. */
static size_t write_frame(struct capture *c, struct encoder *e, struct frame_times *t) {
  int64_t at = now_ns();
  draw_cursor(c);
  struct box now = {0, 0, 0, 0};
  cursor_box(c, &now.x0, &now.y0, &now.x1, &now.y1);
  size_t px = convert_box(c, c->dirty) + convert_box(c, c->drawn) + convert_box(c, now);
  c->dirty = c->drawn = (struct box){0, 0, 0, 0};
  c->drawn = now;
  undraw_cursor(c);
  t->convert_ms = ms_since(at);
  at = now_ns();
  encode_frame(e);
  t->encode_ms = ms_since(at);
  return px;
}

/* The sound encoder: stdin from /dev/null, stdout on stderr (only the picture goes to stdout), fd 3
 * (the sound's pipe) inherited. */
static pid_t spawn_sound(char **argv) {
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, 0); /* dup2's copy has no close-on-exec */
    dup2(2, 1);
    fcntl(3, F_SETFD, 0); /* ours is close-on-exec; the sound encoder's is its output */
    execvp(argv[0], argv);
    fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

int main(int argc, char **argv) {
  const char *display = NULL, *clock_base = NULL;
  int width = 0, height = 0, fps = 0, keepalive_ms = 500, pointer_poll_ms = 16, draw_cur = 1, trace = 0;
  int maxrate_kbps = 0, bufsize_kbps = 0, keyframe_ms = 1000;
  char **sound = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--sound") && !sound) {
      sound = argv + i + 1;
      while (i + 1 < argc && strcmp(argv[i + 1], "--")) i++;
      if (i + 1 >= argc || sound == argv + i + 1) usage(); /* no command, or no "--" after it */
      argv[++i] = NULL; /* its "--" ends the sound command's argv */
    } else if (!strcmp(a, "--display") && i + 1 < argc) {
      display = argv[++i];
    } else if (!strcmp(a, "--size") && i + 1 < argc) {
      if (sscanf(argv[++i], "%dx%d", &width, &height) != 2) usage();
    } else if (!strcmp(a, "--fps") && i + 1 < argc) {
      fps = atoi(argv[++i]);
    } else if (!strcmp(a, "--clock-base") && i + 1 < argc) {
      clock_base = argv[++i];
    } else if (!strcmp(a, "--keyframe-ms") && i + 1 < argc) {
      keyframe_ms = atoi(argv[++i]);
    } else if (!strcmp(a, "--maxrate-kbps") && i + 1 < argc) {
      maxrate_kbps = atoi(argv[++i]);
    } else if (!strcmp(a, "--bufsize-kbps") && i + 1 < argc) {
      bufsize_kbps = atoi(argv[++i]);
    } else if (!strcmp(a, "--keepalive-ms") && i + 1 < argc) {
      keepalive_ms = atoi(argv[++i]);
    } else if (!strcmp(a, "--pointer-poll-ms") && i + 1 < argc) {
      pointer_poll_ms = atoi(argv[++i]);
    } else if (!strcmp(a, "--no-cursor")) {
      draw_cur = 0;
    } else if (!strcmp(a, "--trace")) {
      trace = 1;
    } else {
      usage();
    }
  }
  char *base_end = NULL;
  double base_s = clock_base ? strtod(clock_base, &base_end) : 0;
  if (!display || width <= 0 || height <= 0 || width % 2 || height % 2 || fps <= 0 || keyframe_ms <= 0 || keepalive_ms <= 0 ||
      pointer_poll_ms <= 0 || maxrate_kbps < 0 || bufsize_kbps < 0 || !clock_base || base_end == clock_base ||
      *base_end || base_s < 0)
    usage();
  /* checked before anything opens a file: fd 3 must be the sound's pipe, not one of ours */
  if (sound && fcntl(3, F_GETFD) < 0) die("--sound needs fd 3 open (the sound's pipe)");

  struct capture c;
  memset(&c, 0, sizeof c);
  c.draw_cursor = draw_cur;
  c.width = width;
  c.height = height;
  c.frame_bytes = (size_t)width * height * 4;
  c.yuv_bytes = (size_t)width * height + 2 * (size_t)((width + 1) / 2) * ((height + 1) / 2);

  XSetErrorHandler(on_x_error);
  XSetIOErrorHandler(on_x_io_error);
  c.dpy = XOpenDisplay(display);
  if (!c.dpy) die("cannot open the display");
  fcntl(ConnectionNumber(c.dpy), F_SETFD, FD_CLOEXEC);
  int scr = DefaultScreen(c.dpy);
  c.root = RootWindow(c.dpy, scr);
  if (DisplayWidth(c.dpy, scr) != width || DisplayHeight(c.dpy, scr) != height)
    die("--size differs from the screen's size");
  if (DefaultDepth(c.dpy, scr) != 24) die("the screen must have depth 24");

  int err;
  if (!XDamageQueryExtension(c.dpy, &c.damage_event, &err)) die("the X server has no DAMAGE extension");
  if (!XFixesQueryExtension(c.dpy, &c.fixes_event, &err)) die("the X server has no XFIXES extension");

  c.frame = calloc(1, c.frame_bytes);
  c.yuv = malloc(c.yuv_bytes);
  if (!c.frame || !c.yuv) die("out of memory");
  c.use_shm = setup_shm(&c);
  if (!c.use_shm) fprintf(stderr, "%s: no MIT-SHM, using XGetImage\n", prog);

  c.damage = XDamageCreate(c.dpy, c.root, XDamageReportNonEmpty);
  c.region = XFixesCreateRegion(c.dpy, NULL, 0);
  if (draw_cur) XFixesSelectCursorInput(c.dpy, c.root, XFixesDisplayCursorNotifyMask);
  XSync(c.dpy, False);

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGCHLD);
  sigaddset(&sigs, SIGUSR1);
  sigaddset(&sigs, SIGUSR2);
  sigprocmask(SIG_BLOCK, &sigs, NULL);
  int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd failed");
  signal(SIGPIPE, SIG_IGN);

  if (maxrate_kbps == 0) /* as encoder-argv.ts: pixels a second * 0.15 / 1000, rounded */
    maxrate_kbps = (int)(((int64_t)width * height * fps * 15 + 50000) / 100000);
  if (bufsize_kbps == 0) bufsize_kbps = (maxrate_kbps + 1) / 2;
  struct encoder enc = {.clock_base_ms = (int64_t)(base_s * 1000 + 0.5), .out = 1};
  open_encoder(&enc, &c, fps, keyframe_ms, maxrate_kbps, bufsize_kbps);
  write_file_start(&enc, width, height, fps);

  if (sound) {
    fcntl(3, F_SETFD, FD_CLOEXEC);
    sound_argv = sound;
    sound_pid = spawn_sound(sound);
  }

  const int64_t frame_ns = NS_PER_S / fps;
  const int64_t keepalive_ns = (int64_t)keepalive_ms * NS_PER_MS;
  /* the whole screen first; then only what DAMAGE reports */
  grab_rect(&c, 0, 0, width, height);
  XDamageSubtract(c.dpy, c.damage, None, None);
  update_cursor(&c);
  struct frame_times times;
  write_frame(&c, &enc, &times);
  int64_t last_write = now_ns(), last_check = last_write;
  /* the time at which the bucket was empty: tokens = (now - empty_at) / frame_ns, at most BURST */
  int64_t empty_at = last_write;
  int64_t last_gap = frame_ns; /* between the last two frames written */
  int damaged = 0, pointer = 0;
  const int64_t pointer_poll_ns = (int64_t)pointer_poll_ms * NS_PER_MS;
  int pointer_x = -1, pointer_y = -1;
  int64_t noticed = 0; /* when the pending change was first seen (--trace) */

  for (;;) {
    while (XPending(c.dpy)) {
      XEvent ev;
      XNextEvent(c.dpy, &ev);
      if (ev.type == c.damage_event + XDamageNotify)
        damaged = 1;
      else if (ev.type == c.fixes_event + XFixesCursorNotify)
        pointer = 1;
    }
    int64_t now = now_ns();
    if (draw_cur && now >= last_check + pointer_poll_ns) {
      last_check = now;
      if (pointer_moved(&c, &pointer_x, &pointer_y)) pointer = 1;
    }
    if ((damaged || pointer) && !noticed) noticed = now;
    int pending = damaged || pointer;
    if (empty_at < now - BURST_FRAMES * frame_ns) empty_at = now - BURST_FRAMES * frame_ns;
    /* a change goes out at once while the bucket has a frame in it, else when it has one again */
    int64_t idle_gap = last_gap * KEEPALIVE_GROWTH_NUM / KEEPALIVE_GROWTH_DEN;
    if (idle_gap < frame_ns / 2) idle_gap = frame_ns / 2;
    if (idle_gap > keepalive_ns) idle_gap = keepalive_ns;
    /* every frame takes a token: repeats too, so frames never average more than fps */
    int64_t due = last_write + idle_gap;
    if (pending && due > last_write + frame_ns / 2) due = last_write + frame_ns / 2;
    if (due < empty_at + frame_ns) due = empty_at + frame_ns;
    if (now >= due) {
      int changed = 0;
      int64_t grab_at = now_ns();
      if (damaged) {
        grab_damage(&c);
        changed = 1;
      }
      if (damaged || pointer) changed |= update_cursor(&c);
      damaged = pointer = 0;
      if (changed || now >= last_write + idle_gap) {
        double grab_ms = ms_since(grab_at);
        size_t px = write_frame(&c, &enc, &times);
        int64_t written = now_ns();
        if (trace)
          fprintf(stderr,
                  "%s: frame at %lld %s waited %.1f grab %.1f convert %.1f encode+write %.1f ms, %zu px, held %d\n",
                  prog, (long long)wall_ms(), changed ? "change" : "repeat",
                  noticed ? (double)(grab_at - noticed) / NS_PER_MS : 0.0, grab_ms, times.convert_ms,
                  times.encode_ms, px, x264_encoder_delayed_frames(enc.x264));
        noticed = 0;
        last_gap = written - last_write;
        last_write = written;
        empty_at += frame_ns;
      }
      continue;
    }
    int64_t wake = due;
    if (draw_cur && last_check + pointer_poll_ns < wake) wake = last_check + pointer_poll_ns;
    struct pollfd pfd[2] = {{ConnectionNumber(c.dpy), POLLIN, 0}, {sfd, POLLIN, 0}};
    int64_t wait_ms = (wake - now + NS_PER_MS - 1) / NS_PER_MS;
    if (poll(pfd, 2, (int)wait_ms) < 0 && errno != EINTR) die("poll failed");
    if (pfd[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGUSR1) {
          /* nobody listens: the sound encoder goes (reaped here; its SIGCHLD then finds nothing) */
          if (sound_pid > 0) end_sound();
          continue;
        }
        if (si.ssi_signo == SIGUSR2) {
          if (sound_argv && sound_pid <= 0) sound_pid = spawn_sound(sound_argv);
          continue;
        }
        if (si.ssi_signo == SIGCHLD) {
          int status;
          if (sound_pid > 0 && waitpid(sound_pid, &status, WNOHANG) == sound_pid) {
            if (WIFEXITED(status))
              fprintf(stderr, "%s: sound encoder exited with status %d\n", prog, WEXITSTATUS(status));
            else
              fprintf(stderr, "%s: sound encoder killed by signal %d\n", prog, WTERMSIG(status));
            sound_pid = -1;
            finish(1);
          }
          continue; /* a sleeping sound encoder reaped already (signals of one kind merge) */
        }
        /* SIGTERM/SIGINT: every frame encoded is written already (zerolatency holds none back) */
        finish(0);
      }
    }
  }
}
