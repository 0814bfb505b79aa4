/*
 * tui_replay: the replay feed - steps through one entity of a dataset directory.
 *
 * What a dataset holds is per-entity totals (design.md samples.csv), so a replay shows
 * one "all" CPU line (busy and steal; no user/system split), one disk line and one NIC
 * line of totals. The VMs screen lists the dataset's other entities of kind vm at the
 * same time; the Flows screen aggregates flows.csv over the current interval; the
 * Counters screen shows ipc or the inventory's note on why it is missing.
 */
#ifndef TUI_REPLAY_H
#define TUI_REPLAY_H

#include "core/ks_util.h"
#include "tui/tui_feed.h"
#include "tui/tui_model.h"

/* Read dataset dir and set up a replay of entity (NULL: the first entity of the
 * inventory that has samples), positioned on its first sample, model filled.
 * Errors: unreadable dataset (file, line, column), unknown entity, no samples. */
int tui_replay_open(const char *dir, const char *entity, struct tui_model *m, struct tui_feed *out,
                    struct ks_err *err);

#endif
