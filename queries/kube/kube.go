// Package kube reads what the Kubernetes API server knows about an incident
// window: events (core/v1 and events.k8s.io/v1), pods' container states
// (terminations such as OOMKilled, waiting reasons such as CrashLoopBackOff,
// evictions, disruption conditions) and nodes (capacity type, conditions,
// taints, creation and deletion). Everything becomes queries.Event values on
// the same timeline as the metrics.
//
// Reading never fails the run because of the cluster: a forbidden list (RBAC)
// or an unreachable API server becomes one clear line in Snapshot.Warnings and
// the analysis goes on with Prometheus alone.
package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/causeway-sre/causeway/queries"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Defaults for Options fields left at zero.
const (
	DefaultQPS      float32 = 50
	DefaultBurst            = 100
	DefaultTimeout          = 15 * time.Second
	DefaultPageSize int64   = 500
)

// Options say how to reach the cluster and what to read.
type Options struct {
	// Kubeconfig is an explicit kubeconfig path (--kubeconfig). Empty means
	// the usual rules: KUBECONFIG, then ~/.kube/config, then in-cluster.
	Kubeconfig string
	// Context overrides the kubeconfig's current context (--context).
	Context string
	// Namespace scopes events and pods (-n); empty means all namespaces.
	// Nodes are cluster-scoped and always read.
	Namespace string
	// QPS and Burst are client-side rate limits (defaults 50 and 100).
	QPS   float32
	Burst int
	// Timeout bounds each request to the API server (default 15s), so an
	// unreachable server becomes a warning quickly.
	Timeout time.Duration
	// PageSize is the Limit of each list page (default 500).
	PageSize int64
}

// Client reads one cluster.
type Client struct {
	cs        kubernetes.Interface
	host      string
	user      string
	namespace string
	pageSize  int64
}

// New builds a client with the usual client-go loading rules: opts.Kubeconfig
// (--kubeconfig), KUBECONFIG, ~/.kube/config, then the in-cluster service
// account; opts.Context picks the context.
func New(opts Options) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: opts.Context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, errors.New("no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config) and not running in a cluster")
		}
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	return NewForConfig(cfg, opts)
}

// NewForConfig builds a client from a ready rest.Config (tests, embedding).
// opts.Kubeconfig and opts.Context are ignored; the other fields apply.
func NewForConfig(cfg *rest.Config, opts Options) (*Client, error) {
	if cfg == nil {
		return nil, errors.New("nil rest config")
	}
	if opts.QPS < 0 || opts.Burst < 0 || opts.Timeout < 0 || opts.PageSize < 0 {
		return nil, fmt.Errorf("negative option (qps %v, burst %d, timeout %v, page size %d)",
			opts.QPS, opts.Burst, opts.Timeout, opts.PageSize)
	}
	c := rest.CopyConfig(cfg)
	c.QPS = opts.QPS
	if c.QPS == 0 {
		c.QPS = DefaultQPS
	}
	c.Burst = opts.Burst
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.Burst < int(c.QPS) {
		c.Burst = int(c.QPS)
	}
	c.Timeout = opts.Timeout
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	// Protobuf is several times cheaper than JSON to decode for thousands of
	// events; every type read here supports it.
	c.ContentType = runtime.ContentTypeProtobuf
	c.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if c.UserAgent == "" {
		c.UserAgent = "causeway"
	}
	cs, err := kubernetes.NewForConfig(c)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client for %s: %w", cfg.Host, err)
	}
	page := opts.PageSize
	if page == 0 {
		page = DefaultPageSize
	}
	user := c.Impersonate.UserName
	if user == "" {
		user = c.Username
	}
	return &Client{cs: cs, host: c.Host, user: user, namespace: opts.Namespace, pageSize: page}, nil
}

// Host is the API server address the client talks to.
func (c *Client) Host() string { return c.host }

// Load is New followed by Read, for callers that only want the outcome: it
// never fails. A configuration that cannot be loaded, a forbidden list or an
// unreachable server is a warning in the returned snapshot. A cancelled ctx
// gives a snapshot with that warning too.
func Load(ctx context.Context, opts Options, from, to time.Time) *Snapshot {
	c, err := New(opts)
	if err != nil {
		return &Snapshot{From: from, To: to, Namespace: opts.Namespace,
			Warnings: []string{fmt.Sprintf("kubernetes: %v: %s", err, goesOnAlone)}}
	}
	snap, err := c.Read(ctx, from, to)
	if err != nil {
		return &Snapshot{From: from, To: to, Namespace: opts.Namespace, Server: c.host,
			Warnings: []string{fmt.Sprintf("kubernetes: reading %s: %v: %s", c.host, err, goesOnAlone)}}
	}
	return snap
}

// Snapshot is what the API server said about a window. It is plain data
// (JSON-friendly) so that a bundle can record and replay it.
type Snapshot struct {
	Server    string    `json:"server,omitempty"`
	Namespace string    `json:"namespace,omitempty"` // "" = all namespaces
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	ReadAt    time.Time `json:"readAt"`
	// Events are the Kubernetes events in the window plus the events derived
	// from pod and node state, sorted by time.
	Events []queries.Event `json:"events"`
	// Pods are the pods as they are now (in the namespace, or all).
	Pods []Pod `json:"pods,omitempty"`
	// Nodes are the nodes the API has now. NodesListed is false when the
	// list failed (then Nodes says nothing about what exists).
	Nodes       []Node   `json:"nodes,omitempty"`
	NodesListed bool     `json:"nodesListed"`
	Warnings    []string `json:"warnings,omitempty"`
	Stats       Stats    `json:"stats"`
}

// NodeNames returns the names of the nodes present now.
func (s *Snapshot) NodeNames() []string {
	out := make([]string, 0, len(s.Nodes))
	for _, n := range s.Nodes {
		out = append(out, n.Name)
	}
	return out
}

// Stats count what a Read saw.
type Stats struct {
	// CoreEvents and V1Events are the objects listed through each API;
	// Duplicates those seen through both; OutOfWindow those dropped by time.
	CoreEvents  int           `json:"coreEvents"`
	V1Events    int           `json:"v1Events"`
	Duplicates  int           `json:"duplicates"`
	OutOfWindow int           `json:"outOfWindow"`
	Pods        int           `json:"pods"`
	Nodes       int           `json:"nodes"`
	Duration    time.Duration `json:"duration"`
}

// Pod is the part of a pod's state that explains incidents.
type Pod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Node      string `json:"node,omitempty"`
	Phase     string `json:"phase,omitempty"`
	// Reason is status.reason: Evicted, Terminated, Shutdown, NodeLost, ...
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// DisruptionTarget is the reason of a true DisruptionTarget condition
	// (PreemptionByScheduler, DeletionByTaintManager, EvictionByEvictionAPI,
	// DeletionByPodGC, TerminationByKubelet).
	DisruptionTarget string      `json:"disruptionTarget,omitempty"`
	Owners           []Owner     `json:"owners,omitempty"`
	Containers       []Container `json:"containers,omitempty"`
	Created          time.Time   `json:"created"`
	Deleting         *time.Time  `json:"deleting,omitempty"`
	Conditions       []Condition `json:"conditions,omitempty"`
}

// Owner is an owner reference.
type Owner struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Container is one container's status.
type Container struct {
	Name         string       `json:"name"`
	Init         bool         `json:"init,omitempty"`
	RestartCount int32        `json:"restartCount,omitempty"`
	Ready        bool         `json:"ready,omitempty"`
	Waiting      string       `json:"waiting,omitempty"` // waiting reason
	WaitingMsg   string       `json:"waitingMessage,omitempty"`
	Terminated   *Termination `json:"terminated,omitempty"`     // current state
	LastTerm     *Termination `json:"lastTerminated,omitempty"` // lastState
}

// Termination is a terminated container state.
type Termination struct {
	Reason     string    `json:"reason"`
	ExitCode   int32     `json:"exitCode"`
	Signal     int32     `json:"signal,omitempty"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
}

// Condition is a pod or node condition.
type Condition struct {
	Type           string    `json:"type"`
	Status         string    `json:"status"`
	Reason         string    `json:"reason,omitempty"`
	Message        string    `json:"message,omitempty"`
	LastTransition time.Time `json:"lastTransition"`
}

// Node is a node as the API has it now.
type Node struct {
	Name string `json:"name"`
	// CapacityType is normalised: "spot", "on-demand", "reserved" or "" when
	// no known label says; CapacityLabel is the label that said it (k=v).
	CapacityType  string      `json:"capacityType,omitempty"`
	CapacityLabel string      `json:"capacityLabel,omitempty"`
	InstanceType  string      `json:"instanceType,omitempty"`
	Zone          string      `json:"zone,omitempty"`
	ProviderID    string      `json:"providerID,omitempty"`
	Unschedulable bool        `json:"unschedulable,omitempty"`
	Ready         string      `json:"ready,omitempty"` // True | False | Unknown | ""
	Conditions    []Condition `json:"conditions,omitempty"`
	Taints        []Taint     `json:"taints,omitempty"`
	Created       time.Time   `json:"created"`
	Deleting      *time.Time  `json:"deleting,omitempty"`
}

// Taint is a node taint.
type Taint struct {
	Key    string     `json:"key"`
	Value  string     `json:"value,omitempty"`
	Effect string     `json:"effect"`
	Added  *time.Time `json:"added,omitempty"`
}
