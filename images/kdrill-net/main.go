// kdrill-net is kdrill's offline stand-in for kind's kindnetd: the Go module
// proxy here does not serve sigs.k8s.io/kind/images/kindnetd (it has no tagged
// versions), so kind's default CNI manifest runs this instead. It does what
// kindnetd does for connectivity, under the same file name kind users know:
//
//   - writes /etc/cni/net.d/10-kindnet.conflist (ptp + host-local IPAM over the
//     node's spec.podCIDRs + portmap), atomically and only when it changes;
//   - routes every other node's pod CIDRs via that node's InternalIP;
//   - masquerades pod traffic leaving the cluster's pod subnet (iptables nat
//     chain KIND-MASQ-AGENT, as kindnetd's ip-masq-agent does).
//
// It does not enforce NetworkPolicy (kindnetd does, through kube-network-policies).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

const (
	cniConfPath = "/etc/cni/net.d/10-kindnet.conflist"
	masqChain   = "KIND-MASQ-AGENT"
)

type conflist struct {
	CNIVersion string           `json:"cniVersion"`
	Name       string           `json:"name"`
	Plugins    []map[string]any `json:"plugins"`
}

func renderConflist(podCIDRs []string, mtu int) ([]byte, error) {
	ranges := make([][]map[string]string, 0, len(podCIDRs))
	routes := []map[string]string{}
	for _, c := range podCIDRs {
		ranges = append(ranges, []map[string]string{{"subnet": c}})
		if strings.Contains(c, ":") {
			routes = append(routes, map[string]string{"dst": "::/0"})
		} else {
			routes = append(routes, map[string]string{"dst": "0.0.0.0/0"})
		}
	}
	cl := conflist{
		CNIVersion: "0.3.1",
		Name:       "kindnet",
		Plugins: []map[string]any{
			{
				"type":   "ptp",
				"ipMasq": false,
				"mtu":    mtu,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": "/run/cni-ipam-state",
					"routes":  routes,
					"ranges":  ranges,
				},
			},
			{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	return json.MarshalIndent(cl, "", "  ")
}

// writeIfChanged writes atomically (temp file + rename in the same directory)
// so the container runtime never reads a half-written config.
func writeIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	tmp := filepath.Join(filepath.Dir(path), ".10-kindnet.conflist.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return false, err
	}
	return true, os.Rename(tmp, path)
}

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func internalIP(n *corev1.Node, v6 bool) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && strings.Contains(a.Address, ":") == v6 {
			return a.Address
		}
	}
	return ""
}

func nodeCIDRs(n *corev1.Node) []string {
	if len(n.Spec.PodCIDRs) > 0 {
		return n.Spec.PodCIDRs
	}
	if n.Spec.PodCIDR != "" {
		return []string{n.Spec.PodCIDR}
	}
	return nil
}

type agent struct {
	nodeName   string
	clusterNet []string // POD_SUBNET: the cluster-wide pod CIDRs, never masqueraded
	mtu        int
	routes     map[string]string // pod CIDR -> gateway we installed
	masqDone   bool
}

func (a *agent) ensureMasquerade() error {
	if a.masqDone {
		return nil
	}
	_ = run("iptables", "-t", "nat", "-N", masqChain) // exists already: fine
	if err := run("iptables", "-t", "nat", "-F", masqChain); err != nil {
		return err
	}
	for _, c := range a.clusterNet {
		if strings.Contains(c, ":") {
			continue
		}
		if err := run("iptables", "-t", "nat", "-A", masqChain, "-d", c, "-j", "RETURN"); err != nil {
			return err
		}
	}
	if err := run("iptables", "-t", "nat", "-A", masqChain, "-j", "MASQUERADE"); err != nil {
		return err
	}
	jump := []string{"POSTROUTING", "-m", "addrtype", "!", "--dst-type", "LOCAL", "-m", "comment", "--comment", "kdrill-net: masquerade non-pod-subnet egress", "-j", masqChain}
	if run(append([]string{"iptables", "-t", "nat", "-C"}, jump...)...) != nil {
		if err := run(append([]string{"iptables", "-t", "nat", "-A"}, jump...)...); err != nil {
			return err
		}
	}
	a.masqDone = true
	return nil
}

func (a *agent) reconcile(nodes []*corev1.Node) {
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	want := map[string]string{}
	for _, n := range nodes {
		cidrs := nodeCIDRs(n)
		if n.Name == a.nodeName {
			if len(cidrs) == 0 {
				log.Printf("node %s has no podCIDR yet", n.Name)
				continue
			}
			data, err := renderConflist(cidrs, a.mtu)
			if err != nil {
				log.Printf("render CNI config: %v", err)
				continue
			}
			if changed, err := writeIfChanged(cniConfPath, data); err != nil {
				log.Printf("write %s: %v", cniConfPath, err)
			} else if changed {
				log.Printf("wrote %s for %v", cniConfPath, cidrs)
			}
			continue
		}
		for _, c := range cidrs {
			if gw := internalIP(n, strings.Contains(c, ":")); gw != "" {
				want[c] = gw
			}
		}
	}
	for c, gw := range want {
		if a.routes[c] == gw {
			continue
		}
		if err := run("ip", "route", "replace", c, "via", gw); err != nil {
			log.Printf("route %s via %s: %v", c, gw, err)
			continue
		}
		log.Printf("route %s via %s", c, gw)
		a.routes[c] = gw
	}
	for c := range a.routes {
		if _, ok := want[c]; !ok {
			_ = run("ip", "route", "del", c)
			log.Printf("route %s removed", c)
			delete(a.routes, c)
		}
	}
	if err := a.ensureMasquerade(); err != nil {
		log.Printf("masquerade: %v", err)
	}
}

func detectMTU(hostIP string) int {
	ifs, err := net.Interfaces()
	if err != nil {
		return 1500
	}
	for _, i := range ifs {
		addrs, _ := i.Addrs()
		for _, ad := range addrs {
			if ipn, ok := ad.(*net.IPNet); ok && ipn.IP.String() == hostIP {
				return i.MTU
			}
		}
	}
	return 1500
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	nodeName := os.Getenv("NODE_NAME")
	if nodeName == "" {
		h, _ := os.Hostname()
		nodeName = h
	}
	var clusterNet []string
	for _, c := range strings.Split(os.Getenv("POD_SUBNET"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			clusterNet = append(clusterNet, c)
		}
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("in-cluster config: %v", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		log.Fatalf("client: %v", err)
	}
	a := &agent{nodeName: nodeName, clusterNet: clusterNet, mtu: detectMTU(os.Getenv("HOST_IP")), routes: map[string]string{}}
	log.Printf("kdrill-net on node %s, pod subnet %v, mtu %d", nodeName, clusterNet, a.mtu)

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	factory := informers.NewSharedInformerFactory(cs, 10*time.Minute)
	inf := factory.Core().V1().Nodes()
	kick := make(chan struct{}, 1)
	notify := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	_, _ = inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { notify() },
		UpdateFunc: func(o, n any) {
			on, nn := o.(*corev1.Node), n.(*corev1.Node)
			if !reflect.DeepEqual(on.Spec.PodCIDRs, nn.Spec.PodCIDRs) || !reflect.DeepEqual(on.Status.Addresses, nn.Status.Addresses) {
				notify()
			}
		},
		DeleteFunc: func(any) { notify() },
	})
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	resync := time.NewTicker(time.Minute) // repairs routes/rules someone else removed
	defer resync.Stop()
	for {
		nodes, err := inf.Lister().List(labels.Everything())
		if err != nil {
			log.Printf("list nodes: %v", err)
		} else {
			a.reconcile(nodes)
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-resync.C:
			a.masqDone = false
			a.routes = map[string]string{}
		}
	}
}
