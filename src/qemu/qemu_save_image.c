/* qemu_save_image.c: writing and reading the header and XML of a save
 * image (the layout and contract are in qemu_save_image.h). */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu_save_image.h"
#include "util/error.h"
#include "util/files.h"

#define QVIRT_FROM_THIS QVIRT_FROM_QEMU

G_STATIC_ASSERT(sizeof(QEMU_SAVE_IMAGE_MAGIC) == QEMU_SAVE_IMAGE_MAGIC_LEN);

/* Field offsets in the header. */
#define OFF_VERSION 16
#define OFF_FLAGS 20
#define OFF_XML_LEN 24
#define OFF_STREAM_OFFSET 32
#define OFF_STREAM_LEN 40

void
qemu_save_image_free(QemuSaveImage *image)
{
    if (!image)
        return;
    g_free(image->xml);
    g_free(image);
}

static void
put_u32(guint8 *p, guint32 v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static void
put_u64(guint8 *p, guint64 v)
{
    v = GUINT64_TO_LE(v);
    memcpy(p, &v, sizeof(v));
}

static guint32
get_u32(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static guint64
get_u64(const guint8 *p)
{
    guint64 v;

    memcpy(&v, p, sizeof(v));
    return GUINT64_FROM_LE(v);
}

/* Where the stream starts after XML_LEN bytes of XML. */
static guint64
stream_offset_for(guint64 xml_len)
{
    guint64 end = QEMU_SAVE_IMAGE_HEADER_LEN + xml_len;

    return (end + QEMU_SAVE_IMAGE_ALIGN - 1) / QEMU_SAVE_IMAGE_ALIGN * QEMU_SAVE_IMAGE_ALIGN;
}

void
qemu_save_image_format_header(guint32 xml_len, guint32 flags, guint64 stream_len,
                              guint8 ret_header[QEMU_SAVE_IMAGE_HEADER_LEN])
{
    memset(ret_header, 0, QEMU_SAVE_IMAGE_HEADER_LEN);
    memcpy(ret_header, QEMU_SAVE_IMAGE_MAGIC, QEMU_SAVE_IMAGE_MAGIC_LEN);
    put_u32(ret_header + OFF_VERSION, QEMU_SAVE_IMAGE_VERSION);
    put_u32(ret_header + OFF_FLAGS, flags);
    put_u32(ret_header + OFF_XML_LEN, xml_len);
    put_u64(ret_header + OFF_STREAM_OFFSET, stream_offset_for(xml_len));
    put_u64(ret_header + OFF_STREAM_LEN, stream_len);
}

guint8 *
qemu_save_image_format(const char *xml, guint32 flags, guint64 stream_len, gsize *ret_len)
{
    gsize xml_len = strlen(xml);
    gsize len = stream_offset_for(xml_len);
    guint8 *buf = g_malloc0(len);

    g_assert(xml_len <= QEMU_SAVE_IMAGE_XML_MAX);
    qemu_save_image_format_header((guint32)xml_len, flags, stream_len, buf);
    memcpy(buf + QEMU_SAVE_IMAGE_HEADER_LEN, xml, xml_len);
    *ret_len = len;
    return buf;
}

static int
image_truncated(const char *where)
{
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                       _("save image '%s' is truncated: it ends before its header and XML"), where);
    return -1;
}

static int
image_corrupt(const char *where, const char *what)
{
    qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("save image '%s' is corrupt: %s"), where,
                       what);
    return -1;
}

int
qemu_save_image_parse(const guint8 *data, gsize len, const char *where, QemuSaveImage **ret_image)
{
    g_autoptr(QemuSaveImage) image = NULL;
    guint32 xml_len;

    if (len < QEMU_SAVE_IMAGE_MAGIC_LEN ||
        memcmp(data, QEMU_SAVE_IMAGE_MAGIC, QEMU_SAVE_IMAGE_MAGIC_LEN) != 0) {
        /* A short file that starts like an image is a truncated one. */
        if (len > 0 && len < QEMU_SAVE_IMAGE_MAGIC_LEN &&
            memcmp(data, QEMU_SAVE_IMAGE_MAGIC, len) == 0)
            return image_truncated(where);
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("'%s' is not a qvirt save image (bad magic)"), where);
        return -1;
    }
    if (len < QEMU_SAVE_IMAGE_HEADER_LEN)
        return image_truncated(where);

    image = g_new0(QemuSaveImage, 1);
    image->version = get_u32(data + OFF_VERSION);
    if (image->version != QEMU_SAVE_IMAGE_VERSION) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' has version %u; this qvirt reads version %u"), where,
                           image->version, QEMU_SAVE_IMAGE_VERSION);
        return -1;
    }
    image->flags = get_u32(data + OFF_FLAGS);
    xml_len = get_u32(data + OFF_XML_LEN);
    image->stream_offset = get_u64(data + OFF_STREAM_OFFSET);
    image->stream_len = get_u64(data + OFF_STREAM_LEN);

    if (image->flags & ~QEMU_SAVE_IMAGE_FLAGS_ALL)
        return image_corrupt(where, _("unknown flags"));
    if (xml_len == 0 || xml_len > QEMU_SAVE_IMAGE_XML_MAX)
        return image_corrupt(where, _("invalid XML length"));
    if (image->stream_offset != stream_offset_for(xml_len))
        return image_corrupt(where, _("invalid stream offset"));
    if (image->stream_len == 0) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' is incomplete: the save that wrote it did not "
                             "finish"),
                           where);
        return -1;
    }
    if (image->stream_len > G_MAXINT64 - image->stream_offset)
        return image_corrupt(where, _("invalid stream length"));
    for (gsize i = OFF_VERSION + 12; i < OFF_STREAM_OFFSET; i++) {
        if (data[i] != 0)
            return image_corrupt(where, _("reserved bytes are set"));
    }
    for (gsize i = OFF_STREAM_LEN + 8; i < QEMU_SAVE_IMAGE_HEADER_LEN; i++) {
        if (data[i] != 0)
            return image_corrupt(where, _("reserved bytes are set"));
    }
    if (len - QEMU_SAVE_IMAGE_HEADER_LEN < xml_len)
        return image_truncated(where);
    if (memchr(data + QEMU_SAVE_IMAGE_HEADER_LEN, '\0', xml_len))
        return image_corrupt(where, _("the XML contains a NUL byte"));
    image->xml = g_strndup((const char *)data + QEMU_SAVE_IMAGE_HEADER_LEN, xml_len);
    *ret_image = g_steal_pointer(&image);
    return 0;
}

int
qemu_save_image_read(int fd, const char *path, QemuSaveImage **ret_image)
{
    g_autoptr(QemuSaveImage) image = NULL;
    guint8 header[QEMU_SAVE_IMAGE_HEADER_LEN];
    g_autofree guint8 *buf = NULL;
    struct stat st;
    ssize_t got;
    gsize want;

    if (lseek(fd, 0, SEEK_SET) < 0 || fstat(fd, &st) < 0) {
        qvirt_report_system_error(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED, _("save image '%s' is not a regular file"),
                           path);
        return -1;
    }
    if ((got = qvirt_fd_read_all(fd, header, sizeof(header))) < 0) {
        qvirt_report_system_error(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    /* The header alone first: it bounds what is read next. */
    if ((gsize)got < sizeof(header))
        return qemu_save_image_parse(header, got, path, &image);
    want = QEMU_SAVE_IMAGE_HEADER_LEN +
           MIN(get_u32(header + OFF_XML_LEN), (guint32)QEMU_SAVE_IMAGE_XML_MAX);
    buf = g_malloc(want);
    memcpy(buf, header, sizeof(header));
    if ((got = qvirt_fd_read_all(fd, buf + sizeof(header), want - sizeof(header))) < 0) {
        qvirt_report_system_error(errno, _("cannot read save image '%s'"), path);
        return -1;
    }
    if (qemu_save_image_parse(buf, sizeof(header) + got, path, &image) < 0)
        return -1;
    if ((guint64)st.st_size < image->stream_offset + image->stream_len) {
        qvirt_report_error(QVIRT_ERR_OPERATION_FAILED,
                           _("save image '%s' is truncated: %llu bytes of QEMU's stream "
                             "expected, %llu present"),
                           path, (unsigned long long)image->stream_len,
                           (unsigned long long)((guint64)st.st_size > image->stream_offset
                                                    ? (guint64)st.st_size - image->stream_offset
                                                    : 0));
        return -1;
    }
    *ret_image = g_steal_pointer(&image);
    return 0;
}
