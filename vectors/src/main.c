/* tamtam-vectors: writes, checks and renders the normative test vectors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vectors.h"

static const char usage[] =
    "usage: tamtam-vectors gen [--crc NAME] DIR\n"
    "       tamtam-vectors verify [--spec FILE] [--crc NAME] DIR\n"
    "       tamtam-vectors pcap [--index FILE] DIR OUT.pcap\n"
    "       tamtam-vectors pcapng DIR OUT.pcapng\n"
    "\n"
    "gen     write the whole vector set into DIR (JSON, .bin twins, schemas,\n"
    "        pcap/core.pcap, pcap/core.pcapng, pcap/core-index.json);\n"
    "        --crc selects the CRC-8 variant (default CRC-8/SMBUS)\n"
    "verify  re-check DIR against the reference codec, its schemas and the\n"
    "        spec's requirement IDs (default DIR/../spec/core-frame.md);\n"
    "        exit 1 naming each failing vector; --crc: the set must be made\n"
    "        under that variant\n"
    "pcap    render DIR's vectors as TCP and UDP traffic on port 4774;\n"
    "        --index also writes the packet index (JSON)\n"
    "pcapng  the same as pcapng, each packet commented with its vector id\n"
    "\n"
    "CRC names: CRC-8/SMBUS, CRC-8/MAXIM-DOW, CRC-8/I-432-1, CRC-8/AUTOSAR,\n"
    "CRC-8/SAE-J1850, CRC-8/ROHC, CRC-8/CDMA2000, CRC-8/BLUETOOTH, with or\n"
    "without the CRC-8/ prefix, in any case.\n";

int cmd_gen(tt_crc crc, const char *dir)
{
    vset v;
    vset_init(&v, crc);
    int rc = 1;
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
    char pcap_dir[4096], out[4200], index[4200];
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

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"crc", required_argument, 0, 'c'},
                                         {"spec", required_argument, 0, 's'},
                                         {"index", required_argument, 0, 'i'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1], *spec = NULL, *index = NULL;
    int crc = -1, c;
    bool explicit_crc = false;
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            crc = tt_crc_from_name(optarg);
            if (crc < 0) {
                fprintf(stderr,
                        "tamtam-vectors: unknown CRC-8 variant "
                        "\"%s\"\n%s",
                        optarg, usage);
                return 2;
            }
            explicit_crc = true;
            break;
        case 's':
            spec = optarg;
            break;
        case 'i':
            index = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    int rest = argc - optind;
    char **arg = argv + optind;
    bool gen = !strcmp(cmd, "gen"), verify = !strcmp(cmd, "verify");
    bool pcap = !strcmp(cmd, "pcap"), pcapng = !strcmp(cmd, "pcapng");
    if ((gen || verify) && rest == 1 && !index && (verify || !spec)) {
        if (gen)
            return cmd_gen(explicit_crc ? (tt_crc)crc : TT_CRC_DEFAULT, arg[0]);
        return cmd_verify(arg[0], spec, crc);
    }
    if ((pcap || pcapng) && rest == 2 && !spec && !explicit_crc &&
        (pcap || !index))
        return cmd_pcap(arg[0], arg[1], pcapng, index);
    fprintf(stderr, "tamtam-vectors: bad arguments for \"%s\"\n%s", cmd, usage);
    return 2;
}
