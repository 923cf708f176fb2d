// Package fleet runs slimship's image-level work across a registry as
// Kubernetes work: an Indexed Job whose every index scans a stable shard of
// the targets, a CronJob for retention, and the least RBAC they need.
package fleet

import "hash/fnv"

// Shard is the index (0 to n-1) of the shard that takes name: Lamping and
// Veach's jump consistent hash of the name's 64-bit FNV-1a. The same name
// always lands in the same shard for the same n, and going from n to n+1
// shards moves only about 1/(n+1) of the names.
func Shard(name string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	key := h.Sum64()
	var b, j int64 = -1, 0
	for j < int64(n) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Of is the names of shard i of n, in their order.
func Of(names []string, i, n int) []string {
	var out []string
	for _, name := range names {
		if Shard(name, n) == i {
			out = append(out, name)
		}
	}
	return out
}
