/* The one list of sources (style.md rule 8). Order = run order within a sample. */
#include "collect/col_source.h"

const struct col_source *const col_registry[] = {
    &col_src_cpu,  &col_src_mem,  &col_src_disk,    &col_src_net,
    &col_src_pcap, &col_src_papi, &col_src_libvirt, NULL,
};
