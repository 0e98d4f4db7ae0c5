/* qemu_save_image.h: the file format of a saved domain (save, managed
 * save): a small qvirt header, the domain's XML, then QEMU's migration
 * stream.
 *
 * Layout (integers little-endian):
 *
 *   offset  size  field
 *        0    16  magic "QvirtSaveImage\0\0"
 *       16     4  version (1)
 *       20     4  flags (QEMU_SAVE_IMAGE_WAS_RUNNING)
 *       24     4  xml_len: bytes of XML, no NUL
 *       28     4  reserved, 0
 *       32     8  stream_offset: where QEMU's stream starts, a multiple
 *                 of 4096, at least 64 + xml_len
 *       40     8  stream_len: bytes of QEMU's stream (0 while the save
 *                 runs: such a file is incomplete)
 *       48    16  reserved, 0
 *       64        the XML, then zeros up to stream_offset, then the stream
 *
 * Contract:
 * - qemu_save_image_parse() is pure and never reads beyond the LEN bytes it
 *   is given; every length is bounded (the XML by QEMU_SAVE_IMAGE_XML_MAX).
 *   A foreign file (bad magic), a version other than 1, a truncated header
 *   or XML, and inconsistent offsets or flags are OPERATION_FAILED errors
 *   naming the file.
 * - qemu_save_image_read() also checks that the file holds the whole stream
 *   the header announces, so a truncated image is refused before anything
 *   is started. */
#pragma once

#include <glib.h>

#define QEMU_SAVE_IMAGE_MAGIC "QvirtSaveImage\0"
#define QEMU_SAVE_IMAGE_MAGIC_LEN 16
#define QEMU_SAVE_IMAGE_VERSION 1
#define QEMU_SAVE_IMAGE_HEADER_LEN 64
#define QEMU_SAVE_IMAGE_ALIGN 4096
/* The largest domain XML an image may hold. */
#define QEMU_SAVE_IMAGE_XML_MAX (16 * 1024 * 1024)

typedef enum {
    QEMU_SAVE_IMAGE_WAS_RUNNING = 1 << 0, /* the guest ran when it was saved */
} QemuSaveImageFlags;
#define QEMU_SAVE_IMAGE_FLAGS_ALL 0x1U

typedef struct {
    guint32 version;
    guint32 flags;         /* QemuSaveImageFlags */
    char *xml;             /* NUL-terminated */
    guint64 stream_offset; /* where QEMU's stream starts */
    guint64 stream_len;    /* its length */
} QemuSaveImage;

void qemu_save_image_free(QemuSaveImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuSaveImage, qemu_save_image_free)

/* The bytes an image starts with, up to where QEMU's stream begins (a new
 * buffer of *RET_LEN bytes, the stream offset): header, XML, padding.
 * STREAM_LEN is 0 while the stream is not written yet. */
guint8 *qemu_save_image_format(const char *xml, guint32 flags, guint64 stream_len, gsize *ret_len);
/* The 64-byte header alone for an image whose prefix
 * qemu_save_image_format() made with XML_LEN (to rewrite it once the
 * stream's length is known). */
void qemu_save_image_format_header(guint32 xml_len, guint32 flags, guint64 stream_len,
                                   guint8 ret_header[QEMU_SAVE_IMAGE_HEADER_LEN]);

/* Parse the first LEN bytes of an image (named WHERE in errors). LEN may be
 * less than the stream offset; it must cover the header and the XML. A
 * stream_len of 0 is refused (an incomplete save). */
int qemu_save_image_parse(const guint8 *data, gsize len, const char *where,
                          QemuSaveImage **ret_image);

/* Read and check the image in FD (named PATH in errors; positioned
 * anywhere, left anywhere): header and XML, and a file size that covers
 * the whole stream. */
int qemu_save_image_read(int fd, const char *path, QemuSaveImage **ret_image);
