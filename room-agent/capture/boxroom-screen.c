/*
 * boxroom-screen: sets the size of a running Xvfb's screen, so a room can be resized without
 * restarting its X server (and with it the app).
 *
 *   boxroom-screen --display :99 --size 1920x1080
 *
 * Xvfb's framebuffer is allocated once, at the size given by -screen; RandR 1.2 then lets the screen
 * be any size up to that (RRScreenSetSize), shown through the one CRTC of its one output. Xvfb knows
 * one mode (its start size), so a mode of the wanted size is created and added to the output, the
 * CRTC switched to it and the screen resized, all under a server grab.
 *
 * Why this tool and not the xrandr command: a mode belongs to the client that created it and dies
 * with its connection (Xvfb then drops the CRTC back to its start mode: measured), and xrandr cannot
 * add a mode it created in the same run (it looks modes up in the resources it read before creating
 * them). Here the connection is kept with RetainPermanent, so the mode outlives this process; a mode
 * no CRTC uses any more is freed by the server, so sizes switched through do not pile up.
 *
 * Prints the screen's size afterwards ("1920x1080"). Exit status: 0 when the screen has the size,
 * 1 on an X error or when it does not, 2 on bad arguments (e.g. larger than Xvfb's start size).
 * Build: cc -O2 -o boxroom-screen boxroom-screen.c -lX11 -lXrandr
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

/* Xvfb's resolution (argv.ts XVFB_DPI): the physical size follows, so the DPI stays the same */
#define DPI 96.0

static const char *prog = "boxroom-screen";
static int x_error;

static int on_x_error(Display *dpy, XErrorEvent *ev) {
  char text[128];
  XGetErrorText(dpy, ev->error_code, text, sizeof text);
  fprintf(stderr, "%s: X error: %s (request %d.%d)\n", prog, text, ev->request_code, ev->minor_code);
  x_error = 1;
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: %s --display :N --size WxH\n", prog);
  exit(2);
}

/* The output's mode of exactly this size, created and added when there is none. */
static RRMode mode_for(Display *dpy, Window root, XRRScreenResources *res, RROutput output, int w, int h) {
  char name[32];
  snprintf(name, sizeof name, "%dx%d", w, h);
  for (int i = 0; i < res->nmode; i++)
    if ((int)res->modes[i].width == w && (int)res->modes[i].height == h) {
      XRRAddOutputMode(dpy, output, res->modes[i].id); /* a no-op when the output has it */
      return res->modes[i].id;
    }
  XRRModeInfo *mi = XRRAllocModeInfo(name, (int)strlen(name));
  mi->width = (unsigned)w;
  mi->height = (unsigned)h;
  /* a virtual screen has no timings; a 60 Hz clock keeps tools that print the rate sane */
  mi->hTotal = mi->hSyncStart = mi->hSyncEnd = (unsigned)w;
  mi->vTotal = mi->vSyncStart = mi->vSyncEnd = (unsigned)h;
  mi->dotClock = (unsigned long)w * (unsigned long)h * 60UL;
  RRMode id = XRRCreateMode(dpy, root, mi);
  XRRFreeModeInfo(mi);
  XRRAddOutputMode(dpy, output, id);
  return id;
}

/* Shows `mode` on the CRTC, with resources read now (their timestamp must be current). */
static Status set_crtc(Display *dpy, Window root, RRCrtc crtc, RRMode mode, RROutput output) {
  XRRScreenResources *now = XRRGetScreenResources(dpy, root);
  Status s = XRRSetCrtcConfig(dpy, now, crtc, CurrentTime, 0, 0, mode, RR_Rotate_0, &output, 1);
  XRRFreeScreenResources(now);
  return s;
}

int main(int argc, char **argv) {
  const char *display = NULL;
  int w = 0, h = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--display") && i + 1 < argc)
      display = argv[++i];
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
      if (sscanf(argv[++i], "%dx%d", &w, &h) != 2) usage();
    } else
      usage();
  }
  if (!display || w <= 0 || h <= 0) usage();

  Display *dpy = XOpenDisplay(display);
  if (!dpy) {
    fprintf(stderr, "%s: cannot open the display\n", prog);
    return 1;
  }
  XSetErrorHandler(on_x_error);
  int major = 0, minor = 0, ev, er;
  if (!XRRQueryExtension(dpy, &ev, &er) || !XRRQueryVersion(dpy, &major, &minor) ||
      (major == 1 && minor < 2)) {
    fprintf(stderr, "%s: the X server has no RandR 1.2\n", prog);
    return 1;
  }
  Window root = DefaultRootWindow(dpy);
  int min_w, min_h, max_w, max_h;
  XRRGetScreenSizeRange(dpy, root, &min_w, &min_h, &max_w, &max_h);
  if (w < min_w || h < min_h || w > max_w || h > max_h) {
    fprintf(stderr, "%s: %dx%d is outside the screen's range %dx%d..%dx%d\n", prog, w, h, min_w, min_h,
            max_w, max_h);
    return 2;
  }
  /* the mode must outlive this connection (see the header) */
  XSetCloseDownMode(dpy, RetainPermanent);
  XRRScreenResources *res = XRRGetScreenResources(dpy, root);
  if (!res || res->ncrtc < 1 || res->noutput < 1) {
    fprintf(stderr, "%s: the screen has no CRTC or output\n", prog);
    return 1;
  }
  RROutput output = res->outputs[0];
  RRCrtc crtc = res->crtcs[0];
  XGrabServer(dpy);
  RRMode mode = mode_for(dpy, root, res, output, w, h);
  XSync(dpy, False);
  /* The CRTC must fit inside the screen at every step: growing, the screen first, then the CRTC;
   * shrinking, the CRTC first. Two changes, so clients that follow RandR (x11vnc -xrandr) handle as
   * few notifications as possible. */
  int cur_w = DisplayWidth(dpy, DefaultScreen(dpy)), cur_h = DisplayHeight(dpy, DefaultScreen(dpy));
  int mm_w = (int)(w * 25.4 / DPI + 0.5), mm_h = (int)(h * 25.4 / DPI + 0.5);
  Status on = RRSetConfigSuccess;
  if (w >= cur_w && h >= cur_h) {
    XRRSetScreenSize(dpy, root, w, h, mm_w, mm_h);
    on = set_crtc(dpy, root, crtc, mode, output);
  } else if (w <= cur_w && h <= cur_h) {
    on = set_crtc(dpy, root, crtc, mode, output);
    XRRSetScreenSize(dpy, root, w, h, mm_w, mm_h);
  } else {
    /* wider but lower, or the other way round: through the size that holds both */
    XRRSetScreenSize(dpy, root, w > cur_w ? w : cur_w, h > cur_h ? h : cur_h, mm_w, mm_h);
    on = set_crtc(dpy, root, crtc, mode, output);
    XRRSetScreenSize(dpy, root, w, h, mm_w, mm_h);
  }
  XUngrabServer(dpy);
  XSync(dpy, False);
  XRRFreeScreenResources(res);

  int got_w = DisplayWidth(dpy, DefaultScreen(dpy)), got_h = DisplayHeight(dpy, DefaultScreen(dpy));
  XWindowAttributes wa;
  if (XGetWindowAttributes(dpy, root, &wa)) {
    got_w = wa.width;
    got_h = wa.height;
  }
  printf("%dx%d\n", got_w, got_h);
  XCloseDisplay(dpy);
  if (x_error || on != RRSetConfigSuccess || got_w != w || got_h != h) {
    fprintf(stderr, "%s: the screen is %dx%d, not %dx%d\n", prog, got_w, got_h, w, h);
    return 1;
  }
  return 0;
}
