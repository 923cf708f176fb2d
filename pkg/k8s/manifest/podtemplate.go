package manifest

// podTemplates holds, by API group and kind, where a workload's pod
// template (its metadata and spec) is: the field names from the object's
// root. A Pod is its own template (the empty path). k8s lint reads pod
// specs here and k8s deploy finds the images to verify here.
var podTemplates = map[[2]string][]string{
	{"", "Pod"}:                   {},
	{"", "ReplicationController"}: {"spec", "template"},
	{"apps", "Deployment"}:        {"spec", "template"},
	{"extensions", "Deployment"}:  {"spec", "template"},
	{"apps", "ReplicaSet"}:        {"spec", "template"},
	{"extensions", "ReplicaSet"}:  {"spec", "template"},
	{"apps", "StatefulSet"}:       {"spec", "template"},
	{"apps", "DaemonSet"}:         {"spec", "template"},
	{"extensions", "DaemonSet"}:   {"spec", "template"},
	{"batch", "Job"}:              {"spec", "template"},
	{"batch", "CronJob"}:          {"spec", "jobTemplate", "spec", "template"},
}

// PodTemplatePath is where an object of group and kind keeps its pod
// template, and whether the kind has one.
func PodTemplatePath(group, kind string) ([]string, bool) {
	p, ok := podTemplates[[2]string{group, kind}]
	return p, ok
}
