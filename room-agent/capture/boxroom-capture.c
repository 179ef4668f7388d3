/*
 * boxroom-capture: captures an X screen only when it changes, and feeds an encoder raw frames.
 *
 *   boxroom-capture --display :99 --size 1280x720 --fps 30 [--keepalive-ms 500]
 *                   [--pointer-poll-ms 16] [--no-cursor] [--trace]
 *                   [--sound ffmpeg -f pulse ... pipe:3 --]
 *                   -- ffmpeg -f rawvideo -pix_fmt yuv420p ... -i pipe:0 ...
 *
 * It runs the command after "--" (the encoder) with its stdin on a pipe, and the command after
 * --sound (up to its "--"), if any, beside it with stdin on /dev/null and stdout on stderr (it writes
 * to fd 3). One supervised unit: when any of the three ends, the others follow; except that the sound
 * encoder sleeps on request: SIGUSR1 ends it (nobody is listening: it costs about as much CPU as the
 * rest of an idle room), SIGUSR2 starts it again, writing a new FLV file into the same fd 3 (the
 * agent reads that as a restart of the sound's file). So boxroom-capture keeps fd 3 (close-on-exec:
 * the picture's encoder never holds it).
 * The sound has a process of its own because ffmpeg 5.1 reads its inputs in one loop that waits for
 * the input whose output is furthest behind: with frames only on change that is the screen, and the
 * sound left in bursts with the keepalive frames, every 500 ms on a still screen.
 * It writes whole yuv420p (I420) frames of the screen into the encoder's pipe:
 *   - when DAMAGE reports a change on the root window, or the pointer moves (XQueryPointer every
 *     pointer-poll-ms: input injected through XTEST, as x11vnc and xdotool do, raises no XInput2 raw
 *     events, and other clients' windows take the motion events) or changes shape (XFixes cursor
 *     notify), at most fps frames a second. A change after a quiet spell is captured at once, not at
 *     the next slot of a fixed clock;
 *   - only the damaged bounding box is read from the server (XShmGetImage into a scratch segment),
 *     into a persistent bgr0 copy of the screen; the cursor (XFixesGetCursorImage, blended the way
 *     ffmpeg's x11grab -draw_mouse does) is drawn into it for the write and then removed again;
 *   - only that box and the cursor's old and new boxes (widened to even coordinates) are converted
 *     into a persistent I420 copy, which is what is written: 1.5 bytes a pixel instead of 4 through
 *     the pipe, and the encoder converts nothing (BT.601 limited range, as swscale's default for
 *     bgr0 -> yuv420p, so colours are what they were when ffmpeg converted);
 *   - when nothing changes, the last frame again, so timestamps keep flowing and the encoder's
 *     time-based keyframes keep their cadence: the gap grows by at most KEEPALIVE_GROWTH per frame,
 *     up to keepalive-ms (see there why it may not jump).
 * The encoder timestamps frames by its wall clock (-use_wallclock_as_timestamps), as x11grab does.
 * --trace prints one line per frame written to stderr: how long the change waited for its slot, the
 * read from the server, the conversion and the write took (ms), and the bytes converted.
 *
 * Exit status: the encoder's (128 + signal when it was killed; 143 when the sound encoder ended first and
 * the encoder was told to stop); 1 on a setup or X error.
 * Build: cc -O2 -o boxroom-capture boxroom-capture.c -lX11 -lXext -lXdamage -lXfixes
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
/* Frames sent at the full rate after start: ffmpeg's stream probing reads a few frames before it
 * writes anything, and a still screen would otherwise make it wait keepalive-ms for each. */
#define STARTUP_FRAMES 10
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
 * 280, 448, 500 ms does not (1.6, not 2: ffmpeg stamps frames when it reads them, a few ms late). It also sends a repeat one frame after every change, so a decoder or player that
 * holds one frame back costs one frame interval, not a keepalive interval. */
#define KEEPALIVE_GROWTH_NUM 8
#define KEEPALIVE_GROWTH_DEN 5
/* A pipe as large as Linux allows by default: fewer wakeups per frame for both sides. */
#define PIPE_BYTES (1 << 20)

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

static void die(const char *msg) {
  fprintf(stderr, "%s: %s\n", prog, msg);
  exit(1);
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
  exit(1); /* the encoder gets SIGTERM through PR_SET_PDEATHSIG */
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s --display :N --size WxH --fps N [--keepalive-ms N] [--pointer-poll-ms N] [--no-cursor]"
          " [--trace] [--sound sound encoder args... --] -- encoder args...\n",
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

static pid_t encoder_pid;
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

/* Waits for the encoder and exits with its status (the sound encoder, if any, is ended first). */
static void exit_with_encoder(int out) {
  if (out >= 0) close(out);
  end_sound();
  int status = 0;
  while (waitpid(encoder_pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    fprintf(stderr, "%s: encoder exited with status %d\n", prog, WEXITSTATUS(status));
    exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
  }
  fprintf(stderr, "%s: encoder killed by signal %d\n", prog, WTERMSIG(status));
  exit(128 + WTERMSIG(status));
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit_with_encoder(fd); /* EPIPE: the encoder is gone */
    }
    p += w;
    n -= (size_t)w;
  }
}

static double ms_since(int64_t t) { return (double)(now_ns() - t) / NS_PER_MS; }

/* Converts what changed since the last write (the damage, and the cursor where it was and where it
 * is: the old box gets back what is under it), writes the frame, and returns the pixels converted. */
static size_t write_frame(struct capture *c, int out, double *convert_ms, double *write_ms) {
  int64_t t = now_ns();
  draw_cursor(c);
  struct box now = {0, 0, 0, 0};
  cursor_box(c, &now.x0, &now.y0, &now.x1, &now.y1);
  size_t px = convert_box(c, c->dirty) + convert_box(c, c->drawn) + convert_box(c, now);
  c->dirty = c->drawn = (struct box){0, 0, 0, 0};
  c->drawn = now;
  *convert_ms = ms_since(t);
  t = now_ns();
  write_all(out, c->yuv, c->yuv_bytes);
  *write_ms = ms_since(t);
  undraw_cursor(c);
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

static pid_t spawn_encoder(char **argv, int *out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) die("pipe failed");
  pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* we die, it ends too: restarts stay clean */
    if (getppid() == 1) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    dup2(fds[0], 0);
    execvp(argv[0], argv);
    fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[0]);
  fcntl(fds[1], F_SETPIPE_SZ, PIPE_BYTES);
  *out = fds[1];
  return pid;
}

int main(int argc, char **argv) {
  const char *display = NULL;
  int width = 0, height = 0, fps = 0, keepalive_ms = 500, pointer_poll_ms = 16, draw_cur = 1, trace = 0;
  char **encoder = NULL, **sound = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      encoder = argv + i + 1;
      break;
    } else if (!strcmp(a, "--sound") && !sound) {
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
  if (!display || width <= 0 || height <= 0 || fps <= 0 || keepalive_ms <= 0 || pointer_poll_ms <= 0 || !encoder || !encoder[0])
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

  int out = -1;
  if (sound) {
    fcntl(3, F_SETFD, FD_CLOEXEC);
    sound_argv = sound;
    sound_pid = spawn_sound(sound);
  }
  encoder_pid = spawn_encoder(encoder, &out);

  const int64_t frame_ns = NS_PER_S / fps;
  const int64_t keepalive_ns = (int64_t)keepalive_ms * NS_PER_MS;
  /* the whole screen first; then only what DAMAGE reports */
  grab_rect(&c, 0, 0, width, height);
  XDamageSubtract(c.dpy, c.damage, None, None);
  update_cursor(&c);
  double convert_ms, write_ms;
  write_frame(&c, out, &convert_ms, &write_ms);
  int64_t last_write = now_ns(), last_check = last_write;
  /* the time at which the bucket was empty: tokens = (now - empty_at) / frame_ns, at most BURST */
  int64_t empty_at = last_write;
  int64_t last_gap = frame_ns; /* between the last two frames written */
  int startup_left = STARTUP_FRAMES - 1;
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
    int pending = damaged || pointer || startup_left > 0;
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
      if (changed || startup_left > 0 || now >= last_write + idle_gap) {
        double grab_ms = ms_since(grab_at);
        size_t px = write_frame(&c, out, &convert_ms, &write_ms);
        int64_t written = now_ns();
        if (trace) {
          struct timespec wall;
          clock_gettime(CLOCK_REALTIME, &wall);
          double wall_ms = (double)wall.tv_sec * 1e3 + (double)wall.tv_nsec / 1e6;
          fprintf(stderr, "%s: frame at %.1f %s waited %.1f grab %.1f convert %.1f write %.1f ms, %zu px\n",
                  prog, wall_ms, changed ? "change" : "repeat",
                  noticed ? (double)(grab_at - noticed) / NS_PER_MS : 0.0, grab_ms, convert_ms, write_ms, px);
        }
        noticed = 0;
        last_gap = written - last_write;
        last_write = written;
        empty_at += frame_ns;
        if (startup_left > 0) startup_left--;
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
            kill(encoder_pid, SIGTERM);
            exit_with_encoder(out);
          }
          /* the encoder, or a sleeping sound encoder reaped already (signals of one kind merge) */
          siginfo_t enc = {0};
          if (waitid(P_PID, (id_t)encoder_pid, &enc, WEXITED | WNOHANG | WNOWAIT) == 0 && enc.si_pid == 0)
            continue;
          exit_with_encoder(out);
        }
        /* SIGTERM/SIGINT: end the stream; the encoder flushes and exits on EOF */
        kill(encoder_pid, SIGTERM);
        exit_with_encoder(out);
      }
    }
  }
}
