/*
 * -w support: the captured packets that carried the bytes of a flow's
 * frames still being assembled, so that when a frame matches, every packet
 * that carried a byte of it can be written out (each packet once).
 * Records are dropped as soon as the decoder is past their bytes.
 */
#ifndef AN_EXTRACT_H
#define AN_EXTRACT_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct an_pktrec an_pktrec;

typedef struct an_pktlog {
    an_pktrec *head, *tail; /* arrival order */
    uint64_t bytes;         /* held by the records */
} an_pktlog;

/* Keeps a copy of the packet (header `h`, h->caplen bytes at `data`) that
 * carried stream offsets [start, end), unless the log would then hold more
 * than `max` bytes: retransmissions of a frame still pending would
 * otherwise be kept without bound. Counts the copy in *mem. Returns false
 * when the packet is not kept (`max` reached, or out of memory). */
bool an_pktlog_add(an_pktlog *l, uint64_t start, uint64_t end,
                   const struct pcap_pkthdr *h, const uint8_t *data,
                   uint64_t max, uint64_t *mem);

/* Writes to `d` every kept packet that carried a byte of [off, off+len)
 * and was not written before. */
void an_pktlog_write(an_pktlog *l, uint64_t off, uint64_t len,
                     pcap_dumper_t *d);

/* Drops the records whose bytes all lie before `upto`. */
void an_pktlog_trim(an_pktlog *l, uint64_t upto, uint64_t *mem);

/* Drops every record. */
void an_pktlog_free(an_pktlog *l, uint64_t *mem);

#endif
