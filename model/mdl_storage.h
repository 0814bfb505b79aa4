/*
 * mdl_storage: shared storage, backup and disaster-recovery sizing for a consolidated
 * estate (issue 14; formulas, defaults and their sources in docs/storage.md).
 *
 *   demand   the estate's disk read/write IOPS and KiB/s summed over entities at every
 *            grid step (time-aware, like CPU), then the percentile and the peak of the
 *            sums; capacity from the inventory (disk_used_GiB, disk_provisioned_GiB,
 *            else an assumed GiB per disk, said so in the output) grown over the horizon
 *   array    every (drive, RAID, shelf, controller) configuration of an array catalog,
 *            single tier or two tiers (a fast tier for the I/O, a capacity tier), sized
 *            to carry the back-end IOPS (reads + writes x RAID write penalty), the
 *            throughput and the capacity with headroom; the cheapest eligible one wins
 *   backup   daily change (measured from written KiB, or a given % of used), retention,
 *            dedup -> backup store, nightly window, bytes over the WAN per night
 *   DR       replication bandwidth for an RPO (peak RPO-window average of the summed
 *            writes), a second, smaller array and hosts for the DR site
 *
 * The catalog is a directory of four CSV files (drives.csv, raid.csv, shelves.csv,
 * controllers.csv; datasets/storage/ is the bundled one). A plan borrows its catalog:
 * free the plan before the catalog.
 */
#ifndef MDL_STORAGE_H
#define MDL_STORAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ks_dataset.h"
#include "core/ks_util.h"

/* ---- Array catalog ----------------------------------------------------------------- */

enum mdl_media { MDL_MEDIA_SSD, MDL_MEDIA_HDD };

struct mdl_drive {
    char *name, *source;
    enum mdl_media media;
    double iops;        /* random small-block IOPS per drive to plan with */
    double MBps;        /* sequential MB/s (10^6 bytes) per drive */
    double capacity_GB; /* decimal GB, as drives are sold */
    double price, watts;
    double read_us, write_us; /* ssd: typical (median) service time of one I/O (simulator) */
    /* ssd, optional (NaN): the data sheet's 99.9% quality-of-service latency; with it the
     * simulator samples a lognormal through (median, p999), without it a constant. */
    double read_p999_us, write_p999_us;
    double rpm, seek_ms;      /* hdd: spindle speed, average seek (simulator) */
};

struct mdl_raid {
    char *name, *source;
    double write_penalty;   /* back-end I/Os per front-end write: RAID 10 2, 5 4, 6 6 */
    double usable_fraction; /* data drives / group drives */
    long group_drives;      /* drives per RAID group (a mirror pair counts 2) */
};

struct mdl_shelf {
    char *name, *source;
    long drives; /* drive slots */
    double price, watts;
};

/* An array head (a controller pair): caps the front-end load and the shelves behind it. */
struct mdl_controller {
    char *name, *source;
    double max_iops, max_MBps; /* front-end */
    long max_shelves;
    double price, watts;
};

struct mdl_array_catalog {
    char *dir;
    struct mdl_drive *drive;
    size_t ndrive;
    struct mdl_raid *raid;
    size_t nraid;
    struct mdl_shelf *shelf;
    size_t nshelf;
    struct mdl_controller *ctrl;
    size_t nctrl;
};

/* Read DIR/drives.csv, raid.csv, shelves.csv and controllers.csv. Errors name the file,
 * line and column (a missing column is reported at line 1); -EINVAL or -errno. */
int mdl_array_catalog_read(const char *dir, struct mdl_array_catalog **out, struct ks_err *err);
void mdl_array_catalog_free(struct mdl_array_catalog *cat);

/* ---- Policy -------------------------------------------------------------------------- */

/* Every knob, with the default mdl_storage_policy_init sets (docs/storage.md says why).
 * NaN means "not given" where noted. */
struct mdl_storage_policy {
    double percentile;            /* 95: sizing percentile of the summed series */
    int size_on_peak;             /* 0: size on the percentile; 1: on the peak */
    double headroom_pct;          /* 20: added to IOPS and throughput */
    double capacity_headroom_pct; /* 20: free space kept in the pools */
    int size_on_provisioned;      /* 0: size on used capacity (thin pools) */
    double assumed_GiB_per_disk;  /* 100: used GiB per disk when the inventory lacks it */
    double assumed_io_KiB;        /* 16: I/O size to estimate IOPS from KiB/s if needed */
    double growth_pct_per_year;   /* 20: capacity growth */
    double years;                 /* 3: horizon for growth and power cost */
    double spare_every;           /* 30: one hot spare per this many drives (0: none) */
    long max_arrays;              /* 4: most array heads a configuration may use */
    int allow_tiering;            /* 1: also try fast tier + capacity tier */
    double hot_capacity_pct;      /* 10: share of capacity on the fast tier when tiered */
    double power_price_per_kWh;   /* 0.15 */
    double pue;                   /* 1.6 */
    /* backup */
    double daily_change_pct;    /* NaN: measured from written KiB; else % of used per day */
    double fallback_change_pct; /* 2: when not given and no write series exists */
    double retention_days;      /* 30 */
    double full_every_days;     /* 7: a full every 7 days, incrementals between */
    double dedup_ratio;         /* 5 */
    double backup_MBps;         /* 500: backup throughput for the nightly window */
    /* disaster recovery */
    double rpo_min;     /* 15 */
    double dr_host_pct; /* 50: DR hosts as % of primary hosts */
    double dr_load_pct; /* 50: share of the primary I/O the DR array must carry */
    uint64_t seed;      /* 1: for the simulator config */
    /* Borrowed, may be NULL: one flag per dataset entity, nonzero = on the shared array
     * (entities kept physical are not). NULL: every entity whose kind is not "host". */
    const unsigned char *entity_mask;
};
void mdl_storage_policy_init(struct mdl_storage_policy *pol);
/* Every field by name (the field names above; a "storage_" prefix is accepted): what a
 * flag or a policy-file line becomes. Booleans take 1/0, yes/no, true/false, on/off;
 * daily_change_pct takes "" or "measured" for "not given". -EINVAL with a message
 * for an unknown key, a bad value or one out of range. */
int mdl_storage_policy_set(struct mdl_storage_policy *pol, const char *key, const char *value,
                           struct ks_err *err);
/* Range check of every field (mdl_storage_size calls it). */
int mdl_storage_policy_check(const struct mdl_storage_policy *pol, struct ks_err *err);
/* Append "storage_<key>,value" rows of the effective policy to a key,value table
 * (policy.csv). */
void mdl_storage_policy_rows(const struct mdl_storage_policy *pol, struct ks_table *t);

/* ---- Plan ---------------------------------------------------------------------------- */

/* One RAID pool of a configuration. */
struct mdl_storage_tier {
    int drive, raid;             /* catalog indexes; drive -1: the tier is unused */
    long drives, groups, spares; /* drives in RAID groups; hot spares on top */
    double usable_GiB;
    double backend_iops; /* drives x drive IOPS */
};

struct mdl_storage_config {
    struct mdl_storage_tier tier[2]; /* [0] carries the I/O, [1] capacity only (optional) */
    int shelf, ctrl;
    long shelves, arrays;
    double usable_GiB, capex, watts, opex_per_year, total_cost;
    int eligible;
    char reason[160]; /* why not eligible */
};

struct mdl_storage_plan {
    const struct mdl_array_catalog *cat; /* borrowed */
    struct mdl_storage_policy pol;       /* copy; entity_mask cleared */
    /* Summed series on the grid (owned, nsteps each); NaN cells count as 0. */
    size_t nsteps;
    double t0, step_s;
    double *read_iops, *write_iops, *read_KiBps, *write_KiBps;
    size_t nent, nan_cells;
    char iops_basis[96];
    /* Front-end demand (no headroom). */
    double iops_pct, iops_peak, read_pct, MiBps_pct, MiBps_peak, write_KiBps_mean;
    double fe_iops_need, fe_MBps_need; /* sizing point x (1 + headroom) */
    /* Capacity. */
    double used_GiB, provisioned_GiB, capacity_needed_GiB;
    size_t nent_assumed_cap;
    char capacity_basis[128];
    /* Configurations evaluated for the primary and the DR site. */
    struct mdl_storage_config *opt, *dr_opt;
    size_t nopt, ndr_opt, chosen, dr_chosen;
    /* Backup. */
    double daily_change_GiB, backup_logical_GiB, backup_GiB;
    double backup_window_full_h, backup_window_incr_h;
    double wan_bytes_full, wan_bytes_incr, wan_bytes_dedup;
    char change_basis[96];
    /* DR. */
    double rpo_window_s, dr_write_KiBps, dr_bandwidth_Mbps;
    double dr_hosts, dr_capex_hosts, dr_capex; /* NaN until mdl_storage_dr_cost */
};

/* Size storage, backup and DR for ds on grid g (g may be NULL for an inventory-only
 * dataset: sized on capacity). cat must outlive *out. Errors: -EINVAL with a message,
 * e.g. naming the shortfall when no configuration carries the load. */
int mdl_storage_size(const struct ks_dataset *ds, const struct ks_grid *g,
                     const struct mdl_storage_policy *pol, const struct mdl_array_catalog *cat,
                     struct mdl_storage_plan **out, struct ks_err *err);
void mdl_storage_plan_free(struct mdl_storage_plan *sp);

/* Replication bandwidth (KiB/s) that keeps an asynchronous replica within rpo_s: the
 * largest mean of write_KiBps over any window of floor(rpo_s / step_s) consecutive steps
 * (at least 1; the whole series when it is shorter). NaN cells count as 0. */
double mdl_storage_rpo_KiBps(const double *write_KiBps, size_t n, double step_s, double rpo_s);

/* DR site cost: ceil(primary_hosts x dr_host_pct / 100) hosts at host_price plus the DR
 * array's capex. Recorded in sp (written by mdl_storage_write) and returned. */
double mdl_storage_dr_cost(struct mdl_storage_plan *sp, long primary_hosts, double host_price);

/* Write storage.csv, storage_options.csv, storage_series.csv and the simulator configs
 * storage_sim_p95.ini and storage_sim_peak.ini into plan_dir (which must exist), each
 * atomically. */
int mdl_storage_write(const struct mdl_storage_plan *sp, const char *plan_dir, struct ks_err *err);

/* A `kasane sim` INI modelling the chosen array's I/O tier at the sizing percentile
 * (at_peak 0) or the peak (1). Returns 0 or -EIO when out fails. */
int mdl_storage_sim_ini(const struct mdl_storage_plan *sp, int at_peak, FILE *out);

#endif
