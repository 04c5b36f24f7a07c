/*
 * The TamTam Core Frame decoder (the first an_decoder): the framer per TCP
 * direction (framer.h), one frame per UDP datagram, the CRC variant vote
 * of --crc auto and the heuristic. What the report reads of its state.
 */
#ifndef AN_DEC_TAMTAM_H
#define AN_DEC_TAMTAM_H

#include <stdint.h>

#include "engine.h"

/* UDP datagrams a connection holds at most while --heuristic or --crc auto
 * decides, whatever they hold (zero frames prove nothing). */
#define AN_UDP_HELD_MAX 64u

/* Copies the per-channel frame counts of a TamTam flow into out[256]. */
void an_tamtam_flow_channels(const an_flow *fl, uint64_t out[256]);

/* The CRC variant a TamTam flow's sender uses (a tt_crc), or AN_CRC_AUTO
 * while unknown. */
int an_tamtam_flow_crc(const an_flow *fl);

#endif
