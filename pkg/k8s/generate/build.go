package generate

import (
	"encoding/json"
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/slimship/slimship/pkg/k8s/alerts"
)

// Object is one generated manifest.
type Object struct {
	Kind string
	// File is the object's file name in a directory output.
	File string
	// Value is a k8s.io/api struct (or a map for KEDA's ScaledObject).
	Value any
}

// Build returns the manifests of a completed, valid App in apply order.
func Build(a App) ([]Object, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var out []Object
	add := func(kind, file string, v any) { out = append(out, Object{Kind: kind, File: file, Value: v}) }
	add("ServiceAccount", "serviceaccount.yaml", serviceAccount(a))
	add("Deployment", "deployment.yaml", deployment(a))
	if a.hasService() {
		add("Service", "service.yaml", service(a))
	}
	add("PodDisruptionBudget", "poddisruptionbudget.yaml", pdb(a))
	switch {
	case a.KEDA != nil:
		add("ScaledObject", "scaledobject.yaml", scaledObject(a))
	case a.Autoscaled():
		add("HorizontalPodAutoscaler", "horizontalpodautoscaler.yaml", hpa(a))
	}
	add("NetworkPolicy", "networkpolicy.yaml", networkPolicy(a))
	if a.Host != "" {
		add("Ingress", "ingress.yaml", ingress(a))
	}
	mon, err := monitoring(a)
	return append(out, mon...), err
}

// Monitoring returns only the ServiceMonitor (when the app exposes
// metrics) and the PrometheusRule (when it has alerts) of a completed App,
// checking only what they read (ValidateMonitoring).
func Monitoring(a App) ([]Object, error) {
	if err := a.ValidateMonitoring(); err != nil {
		return nil, err
	}
	return monitoring(a)
}

func monitoring(a App) ([]Object, error) {
	var out []Object
	switch {
	case a.Monitored() && a.hasService():
		out = append(out, Object{Kind: "ServiceMonitor", File: "servicemonitor.yaml", Value: serviceMonitor(a)})
	case a.Monitored():
		out = append(out, Object{Kind: "PodMonitor", File: "podmonitor.yaml", Value: podMonitor(a)})
	}
	if a.Alerts != nil {
		pr, err := alerts.Build(alerts.Target{Name: a.Name, Namespace: a.Namespace, Labels: labels(a), Liveness: a.hasLiveness()}, *a.Alerts)
		if err != nil {
			return nil, err
		}
		out = append(out, Object{Kind: "PrometheusRule", File: "prometheusrule.yaml", Value: pr})
	}
	return out, nil
}

// metricsPath is where the app serves metrics.
func metricsPath(a App) string {
	if a.MetricsPath == "" {
		return DefaultMetricsPath
	}
	return a.MetricsPath
}

// serviceMonitor has prometheus-operator scrape the app's Service on its
// metrics port and path. The job label is the Service's name: the app's.
func serviceMonitor(a App) *monitoringv1.ServiceMonitor {
	return &monitoringv1.ServiceMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: monitoringv1.ServiceMonitorsKind},
		ObjectMeta: meta(a),
		Spec: monitoringv1.ServiceMonitorSpec{
			Selector:  metav1.LabelSelector{MatchLabels: selectorLabels(a)},
			Endpoints: []monitoringv1.Endpoint{{Port: a.metricsPortName(), Path: metricsPath(a)}},
		},
	}
}

// podMonitor scrapes the pods of an app without a Service (no port: a
// Service only for scraping would look to linters and kube-proxy like one
// that serves traffic, without a readiness probe). The job label is the
// app's name, as a ServiceMonitor's would be.
func podMonitor(a App) *monitoringv1.PodMonitor {
	return &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: monitoringv1.PodMonitorsKind},
		ObjectMeta: meta(a),
		Spec: monitoringv1.PodMonitorSpec{
			JobLabel:            "app.kubernetes.io/name",
			Selector:            metav1.LabelSelector{MatchLabels: selectorLabels(a)},
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{Port: ptr("metrics"), Path: metricsPath(a)}},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// selector labels never change over an app's life.
func selectorLabels(a App) map[string]string {
	return map[string]string{"app.kubernetes.io/name": a.Name, "app.kubernetes.io/instance": a.Name}
}

// labels are Kubernetes' recommended app.kubernetes.io/* labels.
func labels(a App) map[string]string {
	l := selectorLabels(a)
	l["app.kubernetes.io/managed-by"] = ManagedBy
	l["app.kubernetes.io/component"] = "server"
	if v := imageVersion(a.Image); v != "" && len(validation.IsValidLabelValue(v)) == 0 {
		l["app.kubernetes.io/version"] = v
	}
	if a.PartOf != "" && len(validation.IsValidLabelValue(a.PartOf)) == 0 {
		l["app.kubernetes.io/part-of"] = a.PartOf
	}
	return l
}

// imageVersion is the tag of an image reference.
func imageVersion(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, '/'); i >= 0 {
		image = image[i+1:]
	}
	if i := strings.LastIndexByte(image, ':'); i >= 0 {
		return image[i+1:]
	}
	return ""
}

func meta(a App) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: a.Name, Namespace: a.Namespace, Labels: labels(a)}
}

func serviceAccount(a App) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   meta(a),
		AutomountServiceAccountToken: ptr(false),
	}
}

func quantities(req, limit string) (resource.Quantity, resource.Quantity) {
	return resource.MustParse(req), resource.MustParse(limit)
}

func container(a App) corev1.Container {
	cpu, cpuLimit := quantities(a.CPU, a.CPULimit)
	mem, memLimit := quantities(a.Memory, a.MemoryLimit)
	eph, ephLimit := quantities(a.EphemeralStorage, a.EphemeralLimit)
	_, tmpMount := TmpVolume()
	c := corev1.Container{
		Name:            a.Name,
		Image:           a.Image,
		ImagePullPolicy: corev1.PullPolicy(a.ImagePullPolicy),
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem, corev1.ResourceEphemeralStorage: eph},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: cpuLimit, corev1.ResourceMemory: memLimit, corev1.ResourceEphemeralStorage: ephLimit},
		},
		SecurityContext:          ContainerSecurity(*a.User, *a.Group),
		VolumeMounts:             []corev1.VolumeMount{tmpMount},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	for _, e := range a.Env {
		v := corev1.EnvVar{Name: e.Name, Value: e.Value}
		if e.SecretRef != "" {
			name, key, _ := strings.Cut(e.SecretRef, "/")
			v.Value = ""
			v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}}
		}
		c.Env = append(c.Env, v)
	}
	if a.Port > 0 {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: a.Port, Protocol: corev1.ProtocolTCP}}
		port := intstr.FromString("http")
		ready := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}}
		if a.HealthPath != "" {
			ready = corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: a.HealthPath, Port: port}}
		}
		// Readiness asks "can you serve?" often; liveness asks "are you
		// alive at all?" rarely and patiently, so a slow dependency takes
		// the pod out of the Service instead of restarting it.
		// Without an HTTP path the only check is the TCP port, and a liveness
		// probe identical to readiness would restart pods that are merely
		// busy: then there is no liveness probe at all.
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: ready, PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 3, SuccessThreshold: 1}
		var live *corev1.ProbeHandler
		switch {
		case a.LivenessPath != "":
			live = &corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: a.LivenessPath, Port: port}}
		case a.HealthPath != "":
			live = &corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}}
		}
		if live != nil {
			c.LivenessProbe = &corev1.Probe{ProbeHandler: *live, InitialDelaySeconds: 10, PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6, SuccessThreshold: 1}
		}
		if a.StartupProbe {
			c.StartupProbe = &corev1.Probe{ProbeHandler: ready, PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 60, SuccessThreshold: 1}
			if c.LivenessProbe != nil {
				c.LivenessProbe.InitialDelaySeconds = 0
			}
		}
	}
	if a.metricsPortName() == "metrics" {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: a.MetricsPort, Protocol: corev1.ProtocolTCP})
	}
	return c
}

func deployment(a App) *appsv1.Deployment {
	sel := &metav1.LabelSelector{MatchLabels: selectorLabels(a)}
	tmpVol, _ := TmpVolume()
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(a),
		Spec: appsv1.DeploymentSpec{
			Selector:             sel,
			RevisionHistoryLimit: ptr(int32(5)),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(0)),
					MaxSurge:       ptr(intstr.FromString("25%")),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(a)},
				Spec: corev1.PodSpec{
					ServiceAccountName:            a.Name,
					AutomountServiceAccountToken:  ptr(false),
					EnableServiceLinks:            ptr(false),
					TerminationGracePeriodSeconds: ptr(int64(defaultTerminationGrace)),
					SecurityContext:               PodSecurity(*a.User, *a.Group),
					Containers:                    []corev1.Container{container(a)},
					Volumes:                       []corev1.Volume{tmpVol},
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
						PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
							Weight: 100,
							PodAffinityTerm: corev1.PodAffinityTerm{
								LabelSelector: sel,
								TopologyKey:   "kubernetes.io/hostname",
							},
						}},
					}},
					TopologySpreadConstraints: []corev1.TopologySpreadConstraint{
						{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: corev1.ScheduleAnyway, LabelSelector: sel},
						{MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.ScheduleAnyway, LabelSelector: sel},
					},
				},
			},
		},
	}
	if !a.Autoscaled() {
		d.Spec.Replicas = ptr(*a.Replicas)
	}
	if a.ImagePullPolicy != string(corev1.PullAlways) {
		// Asked for explicitly: record the choice so linters accept it.
		d.Annotations = map[string]string{
			"ignore.slimship.dev/container-image-pull-policy": "true",
			"kube-score/ignore": "container-image-pull-policy",
		}
	}
	return d
}

func service(a App) *corev1.Service {
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(a),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceType(a.ServiceType),
			Selector: selectorLabels(a),
		},
	}
	s.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: a.Port, TargetPort: intstr.FromString("http"),
		Protocol: corev1.ProtocolTCP, AppProtocol: ptr("http")}}
	if a.metricsPortName() == "metrics" {
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "metrics", Port: a.MetricsPort, TargetPort: intstr.FromString("metrics"),
			Protocol: corev1.ProtocolTCP, AppProtocol: ptr("http")})
	}
	return s
}

func ingress(a App) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: meta(a),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: a.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     a.Path,
						PathType: ptr(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: a.Name, Port: networkingv1.ServiceBackendPort{Number: a.Port}}},
					}},
				}},
			}},
		},
	}
	if a.IngressClass != "" {
		ing.Spec.IngressClassName = ptr(a.IngressClass)
	}
	if a.TLSSecret != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{a.Host}, SecretName: a.TLSSecret}}
	}
	return ing
}

// minPods is the fewest pods the app runs.
func minPods(a App) int32 {
	if a.Autoscaled() {
		return *a.MinReplicas
	}
	return *a.Replicas
}

// pdb keeps one pod fewer than the minimum available, so a node drain never
// blocks forever and never takes the app down.
func pdb(a App) *policyv1.PodDisruptionBudget {
	p := &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta(a),
		Spec: policyv1.PodDisruptionBudgetSpec{
			Selector:                   &metav1.LabelSelector{MatchLabels: selectorLabels(a)},
			UnhealthyPodEvictionPolicy: ptr(policyv1.AlwaysAllow),
		},
	}
	if n := minPods(a); n >= 2 {
		p.Spec.MinAvailable = ptr(intstr.FromInt32(n - 1))
	} else {
		p.Spec.MaxUnavailable = ptr(intstr.FromInt32(1))
	}
	return p
}

// behavior scales up promptly and down gently: one pod a minute after five
// quiet minutes.
func behavior() *autoscalingv2.HorizontalPodAutoscalerBehavior {
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleDown: &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(int32(scaleDownStabilization)),
			SelectPolicy:               ptr(autoscalingv2.MinChangePolicySelect),
			Policies: []autoscalingv2.HPAScalingPolicy{
				{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 60},
				{Type: autoscalingv2.PercentScalingPolicy, Value: 10, PeriodSeconds: 60},
			},
		},
		ScaleUp: &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(int32(0)),
			SelectPolicy:               ptr(autoscalingv2.MaxChangePolicySelect),
			Policies: []autoscalingv2.HPAScalingPolicy{
				{Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 30},
				{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 30},
			},
		},
	}
}

func hpa(a App) *autoscalingv2.HorizontalPodAutoscaler {
	h := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: meta(a),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: a.Name},
			MinReplicas:    ptr(*a.MinReplicas),
			MaxReplicas:    *a.MaxReplicas,
			Behavior:       behavior(),
		},
	}
	for _, m := range []struct {
		name corev1.ResourceName
		pct  int32
	}{{corev1.ResourceCPU, a.HPACPU}, {corev1.ResourceMemory, a.HPAMemory}} {
		if m.pct > 0 {
			h.Spec.Metrics = append(h.Spec.Metrics, autoscalingv2.MetricSpec{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: m.name, Target: autoscalingv2.MetricTarget{
					Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(m.pct)}},
			})
		}
	}
	return h
}

// scaledObject is KEDA's keda.sh/v1alpha1 ScaledObject, as a map: KEDA's Go
// types would pull in its whole module.
func scaledObject(a App) map[string]any {
	md := map[string]any{"name": a.Name, "labels": labels(a)}
	if a.Namespace != "" {
		md["namespace"] = a.Namespace
	}
	b, _ := json.Marshal(behavior())
	var beh map[string]any
	_ = json.Unmarshal(b, &beh)
	return map[string]any{
		"apiVersion": "keda.sh/v1alpha1",
		"kind":       "ScaledObject",
		"metadata":   md,
		"spec": map[string]any{
			"scaleTargetRef":  map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": a.Name},
			"minReplicaCount": *a.MinReplicas,
			"maxReplicaCount": *a.MaxReplicas,
			"pollingInterval": 30,
			"cooldownPeriod":  scaleDownStabilization,
			"advanced": map[string]any{
				"horizontalPodAutoscalerConfig": map[string]any{"behavior": beh},
			},
			"triggers": []any{map[string]any{
				"type": "prometheus",
				"metadata": map[string]any{
					"serverAddress": a.KEDA.Prometheus,
					"query":         a.KEDA.Query,
					"threshold":     a.KEDA.Threshold,
				},
			}},
		},
	}
}

// networkPolicy denies all ingress but the app's port, and declares egress:
// DNS plus EgressCIDRs when given, else all egress. Restricting egress needs
// to know what the app talks to (databases, APIs), which a generator does
// not; the Egress policy type is still declared so the pod is covered.
func networkPolicy(a App) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: meta(a),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selectorLabels(a)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
		},
	}
	var ports []networkingv1.NetworkPolicyPort
	if a.Port > 0 {
		ports = append(ports, networkingv1.NetworkPolicyPort{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(a.Port))})
	}
	if a.metricsPortName() == "metrics" {
		// Prometheus scrapes from its own namespace, which is not known
		// here: the metrics port is open as the app's port is.
		ports = append(ports, networkingv1.NetworkPolicyPort{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(a.MetricsPort))})
	}
	if len(ports) > 0 {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{Ports: ports})
	}
	if len(a.EgressCIDRs) == 0 {
		np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{}}
		return np
	}
	dns := networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{
			{Protocol: ptr(corev1.ProtocolUDP), Port: ptr(intstr.FromInt32(53))},
			{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(53))},
		},
	}
	out := networkingv1.NetworkPolicyEgressRule{}
	for _, c := range a.EgressCIDRs {
		out.To = append(out.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: c}})
	}
	np.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{dns, out}
	return np
}

// Marshal renders one object as YAML without the empty status and
// creationTimestamp fields typed structs carry.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	prune(m)
	return yaml.Marshal(m)
}

func prune(v any) {
	switch x := v.(type) {
	case map[string]any:
		if ts, ok := x["creationTimestamp"]; ok && ts == nil {
			delete(x, "creationTimestamp")
		}
		if s, ok := x["status"].(map[string]any); ok && isEmpty(s) {
			delete(x, "status")
		}
		for k, e := range x {
			if m, ok := e.(map[string]any); ok && k == "metadata" && len(m) == 0 {
				delete(x, k)
				continue
			}
			prune(e)
		}
	case []any:
		for _, e := range x {
			prune(e)
		}
	}
}

func isEmpty(m map[string]any) bool {
	for _, v := range m {
		switch x := v.(type) {
		case map[string]any:
			if !isEmpty(x) {
				return false
			}
		case nil:
		case float64:
			if x != 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Stream renders objects as one multi-document YAML stream.
func Stream(objs []Object) ([]byte, error) {
	var b strings.Builder
	for i, o := range objs {
		y, err := Marshal(o.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Kind, err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return []byte(b.String()), nil
}

// Kustomization lists the files of a directory output as a Kustomize base.
func Kustomization(objs []Object) ([]byte, error) {
	var files []string
	for _, o := range objs {
		files = append(files, o.File)
	}
	return yaml.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  files,
	})
}
