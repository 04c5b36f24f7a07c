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
    uint64_t trimmed;       /* `upto` of the last trim */
    uint64_t hi;            /* highest end of a packet kept */
} an_pktlog;

/* Keeps a copy of the packet (header `h`, h->caplen bytes at `data`) that
 * carried stream offsets [start, end), unless its bytes all lie before the
 * last trim (nothing in it is needed) or the log would then hold more than
 * `max` bytes, or 3/4 of `max` for a packet that reaches no byte beyond the
 * packets kept (a retransmission, or a hole filled): a flood of
 * retransmissions of a frame still pending is bounded and leaves room for
 * the packets that complete it. Counts the copy in *mem. Returns false
 * when a needed packet is not kept (a limit reached, or out of memory). */
bool an_pktlog_add(an_pktlog *l, uint64_t start, uint64_t end,
                   const struct pcap_pkthdr *h, const uint8_t *data,
                   uint64_t max, uint64_t *mem);

/* Writes to `d` every kept packet that carried a byte of [off, off+len)
 * and was not written before. */
void an_pktlog_write(an_pktlog *l, uint64_t off, uint64_t len,
                     pcap_dumper_t *d);

/* Drops the records whose bytes all lie before `upto`. Nothing to do when
 * `upto` is the last trim's: every record added since ends after it (so a
 * flood of retransmissions costs no walk of the records per packet). */
void an_pktlog_trim(an_pktlog *l, uint64_t upto, uint64_t *mem);

/* Drops every record. */
void an_pktlog_free(an_pktlog *l, uint64_t *mem);

#endif
