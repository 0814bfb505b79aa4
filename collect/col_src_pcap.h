/*
 * col_src_pcap: the libpcap source's one public helper besides its table
 * (col_src_pcap in col_source.h).
 */
#ifndef COL_SRC_PCAP_H
#define COL_SRC_PCAP_H

#include "collect/col_source.h"

/* When running as root: switch groups, gid and uid to user's for good and verify it
 * (getuid, and setuid(0) must then fail). Not root: nothing to drop, 0. Negative
 * with err set when the user is unknown or the switch did not happen. */
int col_pcap_drop_privileges(const char *user, struct ks_err *err);

#endif
