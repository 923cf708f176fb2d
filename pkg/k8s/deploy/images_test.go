package deploy

import (
	"strings"
	"testing"
)

// TestImages: every container image of every kind with a pod template, in
// input order, and SetImage changes exactly that container.
func TestImages(t *testing.T) {
	in := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: init, image: "reg.example/init:1"}]
  containers: [{name: main, image: "reg.example/app:1"}, {name: noimage}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers: [{name: web, image: "nginx:1.27"}, {name: side, image: "reg.example/app:1"}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: "reg.example/job@sha256:` + strings.Repeat("a", 64) + `"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {image: "not/a:container"}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {template: {spec: {containers: [{name: x, image: "custom:1"}]}}}
`
	objs, err := Read(strings.NewReader(in), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range Images(objs) {
		got = append(got, u.String()+" "+u.Image)
	}
	want := []string{
		"pod/p (m.yaml:1) container init reg.example/init:1",
		"pod/p (m.yaml:1) container main reg.example/app:1",
		"deployment.apps/d (m.yaml:8) container web nginx:1.27",
		"deployment.apps/d (m.yaml:8) container side reg.example/app:1",
		"cronjob.batch/c (m.yaml:16) container job reg.example/job@sha256:" + strings.Repeat("a", 64),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("images:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	uses := Images(objs)
	if err := SetImage(uses[3], "reg.example/app:1@sha256:"+strings.Repeat("b", 64)); err != nil {
		t.Fatal(err)
	}
	after := Images(objs)
	if after[3].Image != "reg.example/app:1@sha256:"+strings.Repeat("b", 64) || after[2].Image != "nginx:1.27" || after[1].Image != "reg.example/app:1" {
		t.Errorf("after SetImage: %+v", after)
	}
}
