/* fuzz-saveimage.c: libFuzzer target for the save image header parser.
 *
 * Feeds arbitrary bytes to qemu_save_image_parse() and, through a memory
 * file, to qemu_save_image_read() (which adds the file size check).
 * Whatever the input, neither may crash, leak or read beyond the input.
 * An image the parser accepts must obey the format's invariants (XML
 * within the input, the stream offset aligned and past the XML), and its
 * header and XML, written again with qemu_save_image_format(), must parse
 * to the same values; otherwise the target aborts. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "qemu/qemu_save_image.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_init_once(void)
{
    static gboolean done;

    if (done)
        return;
    done = TRUE;
    qvirt_log_set_outputs("4:file:/dev/null");
}

static void
fuzz_check_round_trip(const QemuSaveImage *image)
{
    g_autoptr(QemuSaveImage) again = NULL;
    g_autofree guint8 *buf = NULL;
    gsize len = 0;

    buf = qemu_save_image_format(image->xml, image->flags, image->stream_len, &len);
    if (len != image->stream_offset)
        abort();
    if (qemu_save_image_parse(buf, len, "fuzz", &again) < 0)
        abort();
    if (again->flags != image->flags || again->stream_len != image->stream_len ||
        again->stream_offset != image->stream_offset || strcmp(again->xml, image->xml) != 0)
        abort();
}

static void
fuzz_read_file(const uint8_t *data, size_t size)
{
    g_autoptr(QemuSaveImage) image = NULL;
    int fd = memfd_create("fuzz-saveimage", MFD_CLOEXEC);

    if (fd < 0)
        return;
    if (qvirt_fd_write_all(fd, data, size) == 0 &&
        qemu_save_image_read(fd, "fuzz", &image) == 0) {
        if (image->stream_offset + image->stream_len > size)
            abort();
    }
    qvirt_error_reset();
    close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(QemuSaveImage) image = NULL;

    fuzz_init_once();
    if (qemu_save_image_parse(data, size, "fuzz", &image) == 0) {
        if (!image->xml || strlen(image->xml) > size - QEMU_SAVE_IMAGE_HEADER_LEN ||
            image->stream_offset % QEMU_SAVE_IMAGE_ALIGN != 0 ||
            image->stream_offset < QEMU_SAVE_IMAGE_HEADER_LEN + strlen(image->xml) ||
            image->stream_len == 0)
            abort();
        fuzz_check_round_trip(image);
    }
    qvirt_error_reset();
    fuzz_read_file(data, size);
    return 0;
}
