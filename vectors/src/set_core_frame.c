/*
 * The Core Frame vector set, the first entry of every program's table:
 * core-frame.json and core-stream.json with their .bin twins, schemas and
 * captures, covered against spec/core-frame.md (requirement IDs "CF-").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "files.h"
#include "vectors.h"

/* Builds every case, checks each against libtamtam, then writes the JSON
 * files, twins and schemas (output.c) and the captures (capture.c). */
static int core_frame_gen(const vec_opts *o, const char *dir)
{
    tt_crc crc = o->crc >= 0 ? (tt_crc)o->crc : TT_CRC_DEFAULT;
    vset v;
    vset_init(&v, crc);
    int rc = -1;
    if (cases_frame(&v) != 0 || cases_stream(&v) != 0)
        goto done;
    size_t bad = vset_check(&v);
    if (bad) {
        fprintf(stderr,
                "gen: %zu vectors disagree with the reference codec; "
                "nothing written\n",
                bad);
        goto done;
    }
    if (output_write(&v, dir) != 0)
        goto done;
    char pcap_dir[FILE_PATH_MAX], out[FILE_PATH_MAX + 32],
        index[FILE_PATH_MAX + 32];
    snprintf(pcap_dir, sizeof pcap_dir, "%s/pcap", dir);
    if (mkdir(pcap_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen: cannot create %s: %s\n", pcap_dir,
                strerror(errno));
        goto done;
    }
    snprintf(out, sizeof out, "%s/core.pcap", pcap_dir);
    snprintf(index, sizeof index, "%s/core-index.json", pcap_dir);
    if (cmd_pcap(dir, out, false, index) != 0)
        goto done;
    snprintf(out, sizeof out, "%s/core.pcapng", pcap_dir);
    if (cmd_pcap(dir, out, true, NULL) != 0)
        goto done;
    printf("%s: %zu frame vectors, %zu stream vectors under %s\n", dir, v.nf,
           v.ns, tt_crc_name(crc));
    rc = 0;
done:
    vset_free(&v);
    return rc;
}

const vec_set vec_set_core_frame = {
    .name = "core-frame",
    .files = "core-frame.json core-stream.json",
    .schemas = "schema/core-frame.schema.json schema/core-stream.schema.json",
    .req_prefix = "CF-",
    .spec = "spec/core-frame.md",
    .gen = core_frame_gen,
    .verify = core_frame_verify,
};
