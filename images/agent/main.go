// Command kdrill-agent runs inside drill workloads (image kdrill.local/agent).
//
//	kdrill-agent serve [-addr :8080]            HTTP echo: GET / answers JSON {pod, node, time, path}
//	kdrill-agent get URL [-attempts N] [-every D] [-want-distinct K] [-within D]
//	                                            GET URL until K distinct pods answered 200 (DNS resolved by the pod's resolver)
//	kdrill-agent probe URL [-every D] [-timeout D]
//	                                            GET URL forever, one JSON line per attempt (data-plane probe)
//	kdrill-agent leak [-rate MiB/s] [-max MiB]   allocate and touch memory without bound (or up to max)
//	kdrill-agent netcheck [-timeout D] [-tries N] URL...
//	                                            GET each URL once (a new pod's first words: can it reach
//	                                            its peers and a Service?), print one JSON line, exit 0
//	kdrill-agent cni-install -dir DIR -name FILE -conf JSON
//	                                            write a CNI config into DIR (atomically), then wait until
//	                                            terminated, as a CNI DaemonSet's installer does; it is left behind
//	kdrill-agent host-exec -- ARGV...            run ARGV in the node's file system (the node's / mounted at
//	                                            /host: chroot there, then exec): how kdrill reaches a node
//	                                            through a privileged pod on a cluster that is not kind
//	kdrill-agent sleep                          do nothing until terminated
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	// before anything starts a thread's worth of state: chroot, then replace this process
	if len(os.Args) >= 2 && os.Args[1] == "host-exec" {
		if err := hostExec(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kdrill-agent host-exec:", err)
			os.Exit(126)
		}
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kdrill-agent serve|get|probe|leak|netcheck|cni-install|host-exec|sleep ...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "get":
		err = get(ctx, os.Args[2:])
	case "probe":
		err = probe(ctx, os.Args[2:])
	case "leak":
		err = leak(ctx, os.Args[2:])
	case "netcheck":
		err = netcheck(ctx, os.Args[2:])
	case "cni-install":
		err = cniInstall(ctx, os.Args[2:])
	case "sleep":
		<-ctx.Done()
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kdrill-agent:", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", ":8080", "listen address")
	_ = fs.Parse(args)
	host, _ := os.Hostname()
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"pod":  envOr("POD_NAME", host),
			"node": os.Getenv("NODE_NAME"),
			"time": time.Now().UTC().Format(time.RFC3339Nano),
			"path": r.URL.Path,
		})
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Printf("kdrill-agent serving on %s as %s\n", *addr, host)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}

type attempt struct {
	Time    string  `json:"time"`
	OK      bool    `json:"ok"`
	Status  int     `json:"status,omitempty"`
	Pod     string  `json:"pod,omitempty"`
	Latency float64 `json:"latencyMs"`
	Error   string  `json:"error,omitempty"`
}

func once(ctx context.Context, client *http.Client, url string) attempt {
	start := time.Now()
	a := attempt{Time: start.UTC().Format(time.RFC3339Nano)}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := client.Do(req)
	a.Latency = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		a.Error = err.Error()
		return a
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	var body struct {
		Pod string `json:"pod"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body)
	a.Pod = body.Pod
	a.OK = resp.StatusCode == http.StatusOK
	return a
}

func get(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	attempts := fs.Int("attempts", 60, "give up after this many failed attempts")
	every := fs.Duration("every", time.Second, "pause after a failed attempt")
	distinct := fs.Int("want-distinct", 1, "succeed only after answers from this many distinct pods")
	within := fs.Duration("within", time.Minute, "give up when the distinct backends have not all answered by then")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("get needs one URL")
	}
	url := fs.Arg(0)
	client := newClient(3 * time.Second)
	seen := map[string]bool{}
	deadline := time.Now().Add(*within)
	failed := 0
	for failed < *attempts && time.Now().Before(deadline) {
		a := once(ctx, client, url)
		line, _ := json.Marshal(a)
		fmt.Println(string(line))
		pause := *every
		if a.OK {
			seen[a.Pod] = true
			if len(seen) >= *distinct {
				fmt.Printf("OK: %d distinct backends answered %s\n", len(seen), url)
				return nil
			}
			// Service routing is random per connection, and a node's proxy
			// rules may lag the endpoints: keep asking, a little apart.
			pause = 100 * time.Millisecond
		} else {
			failed++
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
	return fmt.Errorf("%s: answers from %d distinct backends, wanted %d (%d failed attempts)", url, len(seen), *distinct, failed)
}

func probe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	every := fs.Duration("every", 500*time.Millisecond, "interval between attempts")
	timeout := fs.Duration("timeout", 2*time.Second, "per-attempt timeout")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("probe needs one URL")
	}
	client := newClient(*timeout)
	t := time.NewTicker(*every)
	defer t.Stop()
	enc := json.NewEncoder(os.Stdout)
	for {
		_ = enc.Encode(once(ctx, client, fs.Arg(0)))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func leak(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("leak", flag.ExitOnError)
	rate := fs.Int("rate", 20, "MiB per second")
	max := fs.Int("max", 0, "stop growing at this many MiB (0: never)")
	_ = fs.Parse(args)
	var hold [][]byte
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	chunk := *rate << 20 / 10
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if *max > 0 && len(hold)*chunk >= *max<<20 {
			continue
		}
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1 // touch every page so it is resident, not just reserved
		}
		hold = append(hold, b)
		if len(hold)%10 == 0 {
			fmt.Printf("leaked %d MiB\n", len(hold)*chunk>>20)
		}
	}
}

// netcheck asks each URL once (with a few tries: a new pod's network may take
// a moment) and prints {"ip": <its own address>, "results": {url: attempt}}.
func netcheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("netcheck", flag.ExitOnError)
	timeout := fs.Duration("timeout", 3*time.Second, "per-attempt timeout")
	tries := fs.Int("tries", 3, "attempts per URL before it counts as unreachable")
	_ = fs.Parse(args)
	client := newClient(*timeout)
	out := map[string]any{"ip": os.Getenv("POD_IP"), "node": os.Getenv("NODE_NAME")}
	results := map[string]attempt{}
	for _, u := range fs.Args() {
		var a attempt
		for i := 0; i < *tries; i++ {
			if a = once(ctx, client, u); a.OK {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
		results[u] = a
	}
	out["results"] = results
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
	return nil
}

// cniInstall writes a CNI network config into dir the way CNI installers do
// (a temp file, then rename: containerd sees the whole file at once), then
// waits: the file stays when the pod goes, which is how leftovers happen.
func cniInstall(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("cni-install", flag.ExitOnError)
	dir := fs.String("dir", "/host/etc/cni/net.d", "the node's CNI config dir, mounted")
	name := fs.String("name", "", "file name, e.g. 10-calico.conflist")
	conf := fs.String("conf", "", "the config (JSON)")
	_ = fs.Parse(args)
	if *name == "" || *conf == "" {
		return fmt.Errorf("cni-install needs -name and -conf")
	}
	var probe any
	if err := json.Unmarshal([]byte(*conf), &probe); err != nil {
		return fmt.Errorf("-conf is not JSON: %v", err)
	}
	tmp := filepath.Join(*dir, "."+*name+".tmp")
	if err := os.WriteFile(tmp, []byte(*conf+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(*dir, *name)); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", filepath.Join(*dir, *name))
	<-ctx.Done()
	return nil
}

// newClient opens a new connection for every request: a kept-alive
// connection would pin every attempt to one Service backend, and a probe must
// exercise Service routing (kube-proxy's choice) each time.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// hostExec runs argv inside the node's root file system, mounted at /host by
// kdrill's node-access pod (hostPID, hostNetwork, privileged): chroot, then
// exec, so the node's own binaries (sh, tar, systemctl) run on its files.
func hostExec(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return fmt.Errorf("no command")
	}
	root := os.Getenv("KDRILL_HOST_ROOT")
	if root == "" {
		root = "/host"
	}
	if err := syscall.Chroot(root); err != nil {
		return fmt.Errorf("chroot %s: %w", root, err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	path := args[0]
	if !filepath.IsAbs(path) {
		found := ""
		for _, d := range filepath.SplitList("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") {
			if st, err := os.Stat(filepath.Join(d, path)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
				found = filepath.Join(d, path)
				break
			}
		}
		if found == "" {
			return fmt.Errorf("%s: not found on the node", path)
		}
		path = found
	}
	return syscall.Exec(path, args, env)
}
