/*
 * Writes a capture as an input of fuzz_packets (the format is in
 * fuzz_packets.c), to seed its corpus from real captures:
 *
 *   fuzz_pcap2packets IN.pcap OUT [OPTIONS [CRC]] [--max BYTES]
 *
 * OPTIONS and CRC are bytes 1 and 2 of the input, in hex (default 02 and
 * 20: --json, CRC-8/SMBUS, --run 4). The packets are written with their
 * captured bytes, a snap-length word before each packet cut by the capture,
 * and the first packet's time; writing stops before the input would pass
 * --max bytes (default 20000, the -max_len of `make fuzz`). Exits 0, or 2
 * when IN cannot be read or its link type has no index in the format.
 */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int links[8] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                             DLT_NULL,   DLT_LOOP,      DLT_RAW,
                             DLT_IPV4,   DLT_IPV6};

static void put16(FILE *f, unsigned v)
{
    fputc((int)(v >> 8) & 0xFF, f);
    fputc((int)v & 0xFF, f);
}

static void put32(FILE *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xFFFFu);
}

int main(int argc, char **argv)
{
    const char *pos[4] = {NULL, NULL, "02", "20"};
    int npos = 0;
    long max = 20000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--max") && i + 1 < argc)
            max = strtol(argv[++i], NULL, 10);
        else if (npos < 4)
            pos[npos++] = argv[i];
    }
    if (npos < 2) {
        fprintf(stderr, "usage: %s IN.pcap OUT [OPTIONS [CRC]] [--max BYTES]\n",
                argv[0]);
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(
        pos[0], PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!p) {
        fprintf(stderr, "%s: %s\n", pos[0], err);
        return 2;
    }
    int link = 0;
    while (link < 8 && links[link] != pcap_datalink(p))
        link++;
    if (link == 8) {
        fprintf(stderr, "%s: link type %d has no index\n", pos[0],
                pcap_datalink(p));
        pcap_close(p);
        return 2;
    }
    FILE *out = fopen(pos[1], "wb");
    if (!out) {
        perror(pos[1]);
        pcap_close(p);
        return 2;
    }
    fputc(link, out);
    fputc((int)strtol(pos[2], NULL, 16) & 0xFF, out);
    fputc((int)strtol(pos[3], NULL, 16) & 0xFF, out);
    long size = 3;
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned n = 0;
    while (pcap_next_ex(p, &h, &d) == 1 && h->caplen < 0xC000u) {
        /* A packet the capture cut keeps its length through a snap-length
         * word; the bytes never captured are written as zeros, which the
         * target does not read. */
        bool cut = h->caplen < h->len && h->caplen <= 0x1FFFu &&
                   h->len < 0xC000u;
        unsigned len = cut ? h->len : h->caplen;
        long need = 2 + (long)len + (n == 0 ? 10 : 0) + (cut ? 2 : 0);
        if (size + need > max)
            break;
        if (n++ == 0) {
            put16(out, 0xFFFFu);
            put32(out, (uint32_t)h->ts.tv_sec);
            put32(out, (uint32_t)h->ts.tv_usec);
        }
        if (cut)
            put16(out, 0xC000u | h->caplen);
        put16(out, len);
        fwrite(d, 1, h->caplen, out);
        for (unsigned i = h->caplen; i < len; i++)
            fputc(0, out);
        size += need;
    }
    pcap_close(p);
    if (fclose(out) != 0) {
        perror(pos[1]);
        return 2;
    }
    printf("%s: %u packets, %ld bytes\n", pos[1], n, size);
    return 0;
}
