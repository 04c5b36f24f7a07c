/* tamtam-vectors: writes, checks and renders the normative test vectors. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vectors.h"

#define VEC_SETS_MAX 16

static const char usage[] =
    "usage: tamtam-vectors gen [--crc NAME] DIR\n"
    "       tamtam-vectors verify [--spec [SET=]FILE]... [--crc NAME] DIR\n"
    "       tamtam-vectors pcap [--index FILE] DIR OUT.pcap\n"
    "       tamtam-vectors pcapng DIR OUT.pcapng\n"
    "\n"
    "gen     write every vector set into DIR (Core Frame: JSON, .bin twins,\n"
    "        schemas, pcap/core.pcap, pcap/core.pcapng, pcap/core-index.json;\n"
    "        Splinter: JSON, .ndjson twins, schemas, pcap/splinter.pcap,\n"
    "        pcap/splinter-index.json); --crc selects the Core Frame's CRC-8\n"
    "        variant (default CRC-8/SMBUS)\n"
    "verify  re-check each set in DIR against the reference codec, its\n"
    "        schemas and its spec's requirement IDs (default DIR/../SPEC, SPEC\n"
    "        as listed below; --spec FILE replaces the first set's, --spec\n"
    "        SET=FILE another's), then print the coverage of each spec; exit 1\n"
    "        naming each failing vector; --crc: the Core Frame set must be\n"
    "        made under that variant\n"
    "pcap    render DIR's vectors as TCP and UDP traffic on port 4774;\n"
    "        --index also writes the packet index (JSON)\n"
    "pcapng  the same as pcapng, each packet commented with its vector id\n"
    "\n"
    "CRC names: CRC-8/SMBUS, CRC-8/MAXIM-DOW, CRC-8/I-432-1, CRC-8/AUTOSAR,\n"
    "CRC-8/SAE-J1850, CRC-8/ROHC, CRC-8/CDMA2000, CRC-8/BLUETOOTH, with or\n"
    "without the CRC-8/ prefix, in any case.\n";

/* Where --spec [SET=]FILE goes: the set named SET; anything else (no '=',
 * or no set of that name) is a file for the first set, the Core Frame.
 * Returns the set's index and the file in *file. */
static size_t spec_target(const char *arg, const char **file)
{
    const char *eq = strchr(arg, '=');
    *file = arg;
    for (size_t i = 0; eq && i < vec_nsets; i++)
        if (strlen(vec_sets[i]->name) == (size_t)(eq - arg) &&
            !strncmp(vec_sets[i]->name, arg, (size_t)(eq - arg))) {
            *file = eq + 1;
            return i;
        }
    return 0;
}

/* Prints the usage and the program's sets to `fp`. */
static void print_usage(FILE *fp)
{
    fputs(usage, fp);
    fputs("\nVector sets (gen and verify walk them in this order):\n", fp);
    for (size_t i = 0; i < vec_nsets; i++)
        fprintf(fp, "  %-12s %s; %s IDs of %s\n", vec_sets[i]->name,
                vec_sets[i]->files, vec_sets[i]->req_prefix, vec_sets[i]->spec);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"crc", required_argument, 0, 'c'},
                                         {"spec", required_argument, 0, 's'},
                                         {"index", required_argument, 0, 'i'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *specs[VEC_SETS_MAX] = {NULL};
    if (vec_nsets == 0 || vec_nsets > VEC_SETS_MAX) {
        fprintf(stderr, "tamtam-vectors: built with %zu vector sets (1..%d)\n",
                vec_nsets, VEC_SETS_MAX);
        return 2;
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
                        "\"%s\"\n",
                        optarg);
                print_usage(stderr);
                return 2;
            }
            explicit_crc = true;
            break;
        case 's': {
            const char *file;
            size_t k = spec_target(optarg, &file);
            specs[k] = file;
            spec = optarg;
            break;
        }
        case 'i':
            index = optarg;
            break;
        case 'h':
            print_usage(stdout);
            return 0;
        default:
            print_usage(stderr);
            return 2;
        }
    }
    int rest = argc - optind;
    char **arg = argv + optind;
    bool gen = !strcmp(cmd, "gen"), verify = !strcmp(cmd, "verify");
    bool pcap = !strcmp(cmd, "pcap"), pcapng = !strcmp(cmd, "pcapng");
    vec_opts o = {crc};
    if ((gen || verify) && rest == 1 && !index && (verify || !spec)) {
        if (gen)
            return cmd_gen(vec_sets, vec_nsets, &o, arg[0]);
        return cmd_verify(vec_sets, vec_nsets, &o, arg[0], specs);
    }
    if ((pcap || pcapng) && rest == 2 && !spec && !explicit_crc &&
        (pcap || !index))
        return cmd_pcap(arg[0], arg[1], pcapng, index);
    fprintf(stderr, "tamtam-vectors: bad arguments for \"%s\"\n", cmd);
    print_usage(stderr);
    return 2;
}
