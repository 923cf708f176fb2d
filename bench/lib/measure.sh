# shellcheck shell=bash
# Sourced by the bench scripts.

# measure KEY NAME CMD...: runs CMD $runs times (default 3) and prints the
# best wall seconds, that run's user+sys seconds and the largest max RSS
# (kB); keeps them in KEY_wall, KEY_cpu and KEY_rss. Needs $work (a scratch
# directory) and GNU time at /usr/bin/time.
measure() {
  local key=$1 name=$2 best="" cpu="" rss=0 runs=${runs:-3}
  shift 2
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$work/t" "$@" >/dev/null 2>"$work/err" || { echo "$name failed: $(tail -3 "$work/err")" >&2; return 1; }
    local wall u s r
    wall=$(awk -F': ' '/Elapsed/ {n=split($2,a,":"); v=0; for(i=1;i<=n;i++) v=v*60+a[i]; print v}' "$work/t")
    u=$(awk -F': ' '/User time/ {print $2}' "$work/t")
    s=$(awk -F': ' '/System time/ {print $2}' "$work/t")
    r=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/t")
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; cpu=$(awk "BEGIN{print $u+$s}"); fi
    [ "$r" -gt "$rss" ] && rss=$r
  done
  printf '%-34s wall %6.2fs  cpu %6.2fs  rss %7d kB\n' "$name" "$best" "$cpu" "$rss"
  eval "${key}_wall=$best ${key}_cpu=$cpu ${key}_rss=$rss"
}
