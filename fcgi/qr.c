/* qr: libqrencode's module matrix as one SVG path (qr.h). */
#include "qr.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "log.h"

#define QUIET 4

int qr_svg(const char *text, int scale, buf *out)
{
    if (strlen(text) > 1000 || scale < 1 || scale > 32)
        return -1;
    /* 8-bit mode takes the text as it is (the otpauth URI is ASCII). */
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q) {
        log_error("qr: cannot encode %zu bytes: %s", strlen(text), strerror(errno));
        return -1;
    }
    int w = q->width, size = w + 2 * QUIET;
    buf_printf(out,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
               " shape-rendering=\"crispEdges\">\n"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
               size, size, size * scale, size * scale, size, size);
    /* One rectangle per horizontal run of dark modules (bit 0 of each byte). */
    for (int y = 0; y < w; y++) {
        const unsigned char *row = q->data + (size_t)y * (size_t)w;
        for (int x = 0; x < w;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int start = x;
            while (x < w && (row[x] & 1))
                x++;
            buf_printf(out, "M%d %dh%dv1h-%dz", start + QUIET, y + QUIET, x - start, x - start);
        }
    }
    buf_adds(out, "\"/>\n</svg>\n");
    QRcode_free(q);
    return 0;
}
