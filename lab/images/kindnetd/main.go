// Command kindnetd is v6e2e's kindnet-compatible node networking daemon. It
// runs as the kind default CNI DaemonSet (hostNetwork, NET_ADMIN/NET_RAW)
// and, on every node:
//
//   - writes /etc/cni/net.d/10-kindnet.conflist (ptp + host-local + portmap)
//     once the node has spec.podCIDRs;
//   - routes every other node's pod CIDRs via that node's InternalIP;
//   - masquerades traffic leaving the cluster pod CIDRs (KINDNET-MASQ).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

const (
	resyncPeriod    = 30 * time.Second
	retryDelay      = 2 * time.Second
	saTokenFile     = "/var/run/secrets/kubernetes.io/serviceaccount/token"
	saRootCAFile    = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
	defaultMemLimit = 40 << 20 // the DaemonSet's memory limit is 50Mi
)

var errNotReady = errors.New("own node has no spec.podCIDRs yet")

func main() {
	klog.InitFlags(nil)
	flag.Parse()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemLimit)
	}
	if err := run(); err != nil {
		klog.ErrorS(err, "kindnetd failed")
		klog.Flush()
		os.Exit(1)
	}
	klog.Flush()
}

func run() error {
	cfg, err := configFromEnv(os.Getenv, hostnameFunc)
	if err != nil {
		return err
	}
	klog.InfoS("Starting kindnetd", "node", cfg.NodeName, "hostIP", ipString(cfg.HostIP), "podIP", ipString(cfg.PodIP),
		"podSubnet", cidrStrings(cfg.ClusterCIDRs), "apiServer", cfg.APIServerURL)
	if len(cfg.ClusterCIDRs) == 0 {
		klog.InfoS("WARNING: POD_SUBNET is empty; egress masquerading is disabled")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	restCfg, err := restConfig(cfg.APIServerURL)
	if err != nil {
		return err
	}
	restCfg.UserAgent = "kindnetd (v6e2e)"
	// Only the core/v1 client is needed (nodes); the full clientset would
	// double the binary size.
	client, err := corev1client.NewForConfig(restCfg)
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}

	lw := cache.NewListWatchFromClient(client.RESTClient(), "nodes", "", fields.Everything())
	inf := cache.NewSharedIndexInformer(lw, &v1.Node{}, resyncPeriod, cache.Indexers{})
	// Node objects carry image lists and managed fields we never read; drop
	// them to stay well inside the 50Mi limit on big clusters.
	if err := inf.SetTransform(trimNode); err != nil {
		return err
	}

	d := &daemon{
		cfg:     cfg,
		nodes:   listersv1.NewNodeLister(inf.GetIndexer()),
		routes:  newRouteSyncer(),
		masq:    newMasquerader(ctx, execRun),
		cniPath: cniConfigPath,
		trigger: make(chan struct{}, 1),
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { d.onAdd(obj) },
		UpdateFunc: func(old, cur any) { d.onUpdate(old, cur) },
		DeleteFunc: func(obj any) { d.onDelete(obj) },
	}); err != nil {
		return err
	}

	informerDone := make(chan struct{})
	go func() {
		defer close(informerDone)
		inf.Run(ctx.Done())
	}()
	klog.InfoS("Waiting for the node informer to sync")
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		<-informerDone
		if ctx.Err() != nil {
			klog.InfoS("Received termination signal before sync, exiting")
			return nil
		}
		return errors.New("node informer failed to sync")
	}

	d.loop(ctx)
	<-informerDone
	klog.InfoS("kindnetd stopped")
	return nil
}

// restConfig returns the in-cluster configuration, pointed at apiServerURL
// instead of the kubernetes Service when it is set. The service account
// files are used directly so that KUBERNETES_SERVICE_HOST is not required.
func restConfig(apiServerURL string) (*rest.Config, error) {
	if apiServerURL == "" {
		c, err := rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("in-cluster config: %w", err)
		}
		return c, nil
	}
	if _, err := os.Stat(saTokenFile); err != nil {
		return nil, fmt.Errorf("service account token: %w", err)
	}
	return &rest.Config{
		Host:            apiServerURL,
		BearerTokenFile: saTokenFile,
		TLSClientConfig: rest.TLSClientConfig{CAFile: saRootCAFile},
	}, nil
}

type daemon struct {
	cfg     *config
	nodes   listersv1.NodeLister
	routes  *routeSyncer
	masq    *masquerader
	cniPath string
	trigger chan struct{}

	waitingLogged bool
	skipped       map[skippedCIDR]bool // logged once while they persist
}

func (d *daemon) kick() {
	select {
	case d.trigger <- struct{}{}:
	default:
	}
}

// loop reconciles on every node event (coalesced), every resync period, and
// after a failure with a short delay, until ctx is cancelled.
func (d *daemon) loop(ctx context.Context) {
	ticker := time.NewTicker(resyncPeriod)
	defer ticker.Stop()
	var retry <-chan time.Time
	d.kick()
	for {
		select {
		case <-ctx.Done():
			klog.InfoS("Received termination signal, shutting down (routes, rules and CNI config are left in place)")
			return
		case <-d.trigger:
		case <-ticker.C:
		case <-retry:
		}
		retry = nil
		if err := d.reconcile(ctx); err != nil {
			if ctx.Err() != nil {
				continue
			}
			if !errors.Is(err, errNotReady) {
				klog.ErrorS(err, "Reconcile failed, retrying", "in", retryDelay)
			}
			retry = time.After(retryDelay)
		}
	}
}

func (d *daemon) reconcile(ctx context.Context) error {
	var errs []error

	if len(d.cfg.ClusterCIDRs) > 0 {
		if err := d.masq.ensure(ctx, d.cfg.ClusterCIDRs); err != nil {
			errs = append(errs, fmt.Errorf("masquerade: %w", err))
		}
	}

	nodes, err := d.nodes.List(labels.Everything())
	if err != nil {
		return errors.Join(append(errs, err)...)
	}

	self, err := d.nodes.Get(d.cfg.NodeName)
	var own []*net.IPNet
	if err == nil {
		var bad []string
		own, bad = nodePodCIDRs(self)
		for _, b := range bad {
			klog.InfoS("Ignoring unparsable pod CIDR of own node", "node", d.cfg.NodeName, "cidr", b)
		}
	}
	if len(own) == 0 {
		if !d.waitingLogged {
			klog.InfoS("Waiting for own node to get spec.podCIDRs", "node", d.cfg.NodeName)
			d.waitingLogged = true
		}
		return errors.Join(append(errs, errNotReady)...)
	}
	if d.waitingLogged {
		klog.InfoS("Own node has pod CIDRs", "node", d.cfg.NodeName, "podCIDRs", cidrStrings(own))
		d.waitingLogged = false
	}

	if err := d.syncCNIConfig(own); err != nil {
		errs = append(errs, err)
	}

	plan, skipped := planRoutes(d.cfg.NodeName, nodes)
	d.logSkipped(skipped)
	if err := d.routes.sync(plan); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (d *daemon) syncCNIConfig(own []*net.IPNet) error {
	mtu, link, err := uplinkMTU(d.cfg.HostIP)
	if err != nil {
		klog.InfoS("Cannot determine uplink MTU, using default", "hostIP", ipString(d.cfg.HostIP), "mtu", defaultLinkMTU, "reason", err.Error())
		mtu = defaultLinkMTU
	}
	content, err := renderCNIConfig(own, mtu)
	if err != nil {
		return err
	}
	changed, err := writeFileIfChanged(d.cniPath, content, cniConfFileMode)
	if err != nil {
		return fmt.Errorf("write %s: %w", d.cniPath, err)
	}
	if changed {
		for _, c := range own {
			klog.InfoS("CNI config: pod range", "node", d.cfg.NodeName, "family", familyOfNet(c).String(), "cidr", c.String())
		}
		klog.InfoS("Wrote CNI config", "path", d.cniPath, "mtu", mtu, "link", link)
	}
	return nil
}

// logSkipped logs pod CIDRs that cannot be routed when they first appear
// (and when they become routable again), not on every resync.
func (d *daemon) logSkipped(skipped []skippedCIDR) {
	now := map[skippedCIDR]bool{}
	for _, s := range skipped {
		now[s] = true
		if !d.skipped[s] {
			klog.InfoS("Skipping pod CIDR", "node", s.Node, "family", familyOfCIDRString(s.CIDR), "cidr", s.CIDR, "reason", s.Reason)
		}
	}
	for s := range d.skipped {
		if !now[s] {
			klog.InfoS("No longer skipping pod CIDR", "node", s.Node, "family", familyOfCIDRString(s.CIDR), "cidr", s.CIDR, "previousReason", s.Reason)
		}
	}
	d.skipped = now
}

// Event handlers: log what changed, then ask the loop to reconcile.

func (d *daemon) onAdd(obj any) {
	if n, ok := obj.(*v1.Node); ok {
		for _, c := range n.Spec.PodCIDRs {
			klog.InfoS("Node pod CIDR seen", "node", n.Name, "family", familyOfCIDRString(c), "cidr", c)
		}
	}
	d.kick()
}

func (d *daemon) onUpdate(old, cur any) {
	o, ok1 := old.(*v1.Node)
	n, ok2 := cur.(*v1.Node)
	if ok1 && ok2 {
		before := map[string]bool{}
		for _, c := range o.Spec.PodCIDRs {
			before[c] = true
		}
		after := map[string]bool{}
		for _, c := range n.Spec.PodCIDRs {
			after[c] = true
			if !before[c] {
				klog.InfoS("Node pod CIDR added", "node", n.Name, "family", familyOfCIDRString(c), "cidr", c)
			}
		}
		for _, c := range o.Spec.PodCIDRs {
			if !after[c] {
				klog.InfoS("Node pod CIDR removed", "node", n.Name, "family", familyOfCIDRString(c), "cidr", c)
			}
		}
		if ipsOf(o) != ipsOf(n) {
			klog.InfoS("Node InternalIPs changed", "node", n.Name, "old", ipsOf(o), "new", ipsOf(n))
		}
	}
	d.kick()
}

func (d *daemon) onDelete(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	if n, ok := obj.(*v1.Node); ok {
		for _, c := range n.Spec.PodCIDRs {
			klog.InfoS("Node deleted, pod CIDR gone", "node", n.Name, "family", familyOfCIDRString(c), "cidr", c)
		}
	}
	d.kick()
}

func trimNode(obj any) (any, error) {
	if n, ok := obj.(*v1.Node); ok {
		n.ManagedFields = nil
		n.Status.Images = nil
	}
	return obj, nil
}

func ipsOf(n *v1.Node) string {
	s := ""
	for _, a := range n.Status.Addresses {
		if a.Type == v1.NodeInternalIP {
			s += a.Address + " "
		}
	}
	return s
}

func familyOfCIDRString(s string) string {
	ip, _, err := net.ParseCIDR(s)
	if err != nil {
		return "unknown"
	}
	return familyOfIP(ip).String()
}

func cidrStrings(ns []*net.IPNet) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.String())
	}
	return out
}

func ipString(ip net.IP) string {
	if ip == nil {
		return ""
	}
	return ip.String()
}
