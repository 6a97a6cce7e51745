/* textenc: turning an uploaded text file (a CSV or a vCard) into UTF-8, and
 * Unicode normalisation (NFC) of UTF-8 text. Bytes in, UTF-8 out; no I/O and
 * no globals, so imports and tests share one implementation. The tables are
 * our own (no iconv); NFC comes from libunistring.
 *
 * Encodings: UTF-8 (with or without a byte order mark), UTF-16 in either byte
 * order, and Windows-1252, which is what Excel on Windows writes when a sheet
 * is saved as plain "CSV" in Western Europe and the Americas. The labels
 * "latin1" and "ISO-8859-1" are read as Windows-1252 too, as the WHATWG
 * Encoding Standard does: the two agree on every byte but 0x80-0x9F, which
 * ISO-8859-1 leaves to C1 control characters that never occur in real text,
 * so a file labelled ISO-8859-1 with such bytes is really Windows-1252.
 *
 * What counts as text (for every encoding, on the decoded characters):
 *  - the line breaks LF, CRLF and a lone CR (each one line end, for the line
 *    numbers of the messages), TAB, FF, and VT (FileMaker writes VT for a line
 *    break inside a field) are allowed;
 *  - U+0000 and every other C0 control character (U+0001-U+001F) and DEL
 *    (U+007F) are refused: text editors and spreadsheets never write them,
 *    and even one is the mark of a binary file (or of a text file damaged
 *    there), so the message names its line;
 *  - C1 controls (U+0080-U+009F, from UTF-8 or UTF-16) are let through: they
 *    come from Windows-1252 text converted as ISO-8859-1, not from binaries;
 *  - files that start like a known binary format (PDF, ZIP and the Office and
 *    OpenDocument files built on it, the old OLE Office files, PNG, JPEG,
 *    GIF, gzip) and UTF-32 files are refused by name.
 *
 * Messages are plain English for the person who uploaded the file and name
 * the line (1-based). A message about invalid UTF-8 quotes up to 16
 * characters of the line before the bad byte: show it to that person, do not
 * log it (it is their data).
 */
#ifndef CTRACK_TEXTENC_H
#define CTRACK_TEXTENC_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Room for any message of this module, NUL included. */
#define TEXTENC_ERR_MAX 320

enum textenc {
    TEXTENC_UTF8,     /* UTF-8 without a byte order mark (plain ASCII too) */
    TEXTENC_UTF8_BOM, /* UTF-8 after the mark EF BB BF ("CSV UTF-8" in Excel) */
    TEXTENC_UTF16LE,  /* UTF-16, little-endian ("Unicode text" in Excel) */
    TEXTENC_UTF16BE,  /* UTF-16, big-endian */
    TEXTENC_CP1252,   /* Windows-1252 */
};

/* The display name of enc: "UTF-8", "UTF-8 with BOM", "UTF-16LE",
 * "UTF-16BE" or "Windows-1252"; "?" for a value outside the enum. */
const char *textenc_name(enum textenc enc);

/* Parses an encoding chosen by a person (a form field), ignoring ASCII case:
 *  - "utf-8", "utf8", "us-ascii", "ascii": TEXTENC_UTF8;
 *  - "utf-8 with bom", "utf-8-bom", "utf-8-sig": TEXTENC_UTF8_BOM;
 *  - "utf-16le", "utf16le", and "utf-16", "utf16": TEXTENC_UTF16LE (a byte
 *    order mark decides the order anyway, see textenc_to_utf8; without one,
 *    little-endian is what Windows writes);
 *  - "utf-16be", "utf16be": TEXTENC_UTF16BE;
 *  - "windows-1252", "windows1252", "cp1252", "latin1", "latin-1",
 *    "iso-8859-1", "iso8859-1": TEXTENC_CP1252 (see the top of this file).
 * Every display name of textenc_name is accepted too. Returns 0 and sets
 * *out, or -1 for any other name (ISO-8859-15 among them: it differs from
 * Windows-1252 in eight characters, the euro sign's place among them). */
int textenc_parse(const char *name, enum textenc *out);

/* Guesses the encoding of data[0..len) and checks that the data is text in
 * it, in this order:
 *  1. a known binary format or UTF-32 is refused, e.g. "This is not a text
 *     file: it looks like an Excel workbook (.xlsx); save it as CSV UTF-8
 *     first.";
 *  2. a byte order mark decides: EF BB BF is TEXTENC_UTF8_BOM, FF FE is
 *     TEXTENC_UTF16LE, FE FF is TEXTENC_UTF16BE (the rest must then be valid
 *     in that encoding);
 *  3. without a mark, data of even length whose NUL bytes are at least a
 *     quarter of it, all at odd offsets (or all at even ones), and which is
 *     valid UTF-16LE (UTF-16BE) text, is taken as that: English or Western
 *     European text saved as UTF-16 without a mark;
 *  4. any other NUL byte or control character is refused: "This is not a
 *     text file (a NUL byte at line 3).";
 *  5. valid UTF-8 (the empty file too) is TEXTENC_UTF8;
 *  6. data that holds both valid UTF-8 sequences of two bytes or more and
 *     bytes that are not UTF-8 mixes encodings and is refused, naming the
 *     first bad byte (read as Windows-1252 it would turn the UTF-8 parts
 *     into mojibake);
 *  7. otherwise it is TEXTENC_CP1252 unless it holds one of the five bytes
 *     Windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D): "line 2: byte
 *     0x81 is neither UTF-8 nor Windows-1252".
 * Returns 0 and sets *enc, after which textenc_to_utf8 with *enc succeeds;
 * or -1 with the reason in err (errlen bytes, TEXTENC_ERR_MAX is enough;
 * err may be NULL when errlen is 0). */
int textenc_detect(const char *data, size_t len, enum textenc *enc, char *err, size_t errlen);

/* Appends data[0..len), read in encoding enc, to out as UTF-8 without a byte
 * order mark, checking that it is text (see the top of this file):
 *  - UTF-8 with or without a mark: a leading EF BB BF is dropped either way;
 *    the rest must be valid UTF-8, else e.g. "line 2: the text after "Ex" is
 *    not valid UTF-8 (byte 0xE4); choose the file's encoding (e.g.
 *    Windows-1252)";
 *  - UTF-16LE or UTF-16BE: a leading byte order mark (FF FE or FE FF) is
 *    dropped and decides the byte order, whichever was chosen; surrogate
 *    pairs are combined; a lone surrogate or an odd length is an error
 *    naming the line;
 *  - Windows-1252: 0x80-0x9F by the Windows table, 0xA0-0xFF as U+00A0-U+00FF;
 *    the five undefined bytes are errors naming the line and the byte.
 * Data in a known binary format is refused as by textenc_detect. Returns 0;
 * or -1 with the reason in err, out left as it was. */
int textenc_to_utf8(const char *data, size_t len, enum textenc enc, buf *out, char *err, size_t errlen);

/* Appends the Unicode NFC form of the UTF-8 text s[0..n) to out (so that "é"
 * typed as e + U+0301 and "é" as one character compare and sort the same).
 * Text made only of characters below U+0300 (every byte below 0xCC: ASCII,
 * Latin-1 and Latin Extended) is always NFC and is copied as it is, without
 * calling libunistring. Returns 0; -1 when s is not valid UTF-8 (out is then
 * unchanged). NUL bytes are characters like any other here. */
int text_nfc(const char *s, size_t n, buf *out);

/* Whether the UTF-8 text s[0..n) is valid and already in NFC (text_nfc would
 * copy it unchanged). Cheap for text below U+0300; otherwise it normalises a
 * copy and compares. */
bool text_is_nfc(const char *s, size_t n);

#endif
