/* qr: QR codes drawn as SVG. The only file that includes qrencode.h. */
#ifndef CTRACK_QR_H
#define CTRACK_QR_H

#include "util.h"

/* Draws text (at most 1000 bytes) as a QR code (error correction M) into
 * out: a standalone SVG document of one path, dark modules on a white
 * square with the 4-module quiet zone, scale pixels per module, nothing
 * but shapes (no script, no links, no text). Returns 0, or -1 when the
 * text is too long or libqrencode fails (logged). */
int qr_svg(const char *text, int scale, buf *out);

#endif
