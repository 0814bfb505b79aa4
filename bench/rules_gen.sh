#!/bin/sh
# Write a rules file of every type for a `kasane gen` estate (bench_plan_rules.sh and
# tests/e2e/rules_scale.sh): rules_gen.sh SERVERS > rules.csv. Names follow gen's roles
# (web, app, db, file, legacy, batch, numbered per role in order); every name used exists
# in an estate of 40 servers or more (40 have web01-06, app01-06, db01-03, file01-06,
# legacy01-15, batch01-04). 11 rules: three anti-affinity
# groups, two affinity groups, a soft affinity, two zones, two pin sets and an exclude.
set -eu
n=${1:?usage: rules_gen.sh SERVERS}
[ "$n" -ge 40 ] || { echo "rules_gen.sh: at least 40 servers" >&2; exit 2; }
nm() { printf '%s%02d' "$1" "$2"; }
seq_names() { # role from to -> role01;role02;...
    i=$2 s=""
    while [ "$i" -le "$3" ]; do s="$s${s:+;}$(nm "$1" "$i")"; i=$((i + 1)); done
    printf '%s' "$s"
}
echo "rule,type,members,target,weight"
echo "dc-apart,anti-affinity,$(seq_names file 1 3),,"
echo "db-apart,anti-affinity,$(seq_names db 1 3),,"
echo "legacy-apart,anti-affinity,$(seq_names legacy 1 6),,"
echo "web-cache,affinity,web05;app05,,"
echo "app-db,affinity,app06;db03,,"
echo "tier-soft,soft-affinity,web04;app04;batch01,,"
echo "dmz,zone,$(seq_names web 1 5);app05,dmz,"
echo "internal,zone,$(seq_names db 1 3);app06,internal,"
echo "lic-db,pin,db01;db02,host01;host02,"
echo "lic-legacy,pin,legacy10;legacy11,host05;host06,"
echo "fax,exclude,legacy12,,"
