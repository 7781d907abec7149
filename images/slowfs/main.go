// kdrill-slowfs: a passthrough FUSE file system whose fsync and fdatasync
// sleep for a delay kdrill sets at run time: an exact slow disk for etcd.
//
// cgroup v1 blkio throttling only reaches a whole-iops step curve (6 iops ≈
// 1.1 s, 7 iops ≈ 0.35 s per WAL fsync on these hosts); this layer delays each
// fsync by exactly the requested time, which is what incident 002 (800 ms
// fsync stalling raft) needs. Reads and writes pass straight through.
//
// The delay is the integer number of milliseconds in -control (missing or
// empty = 0), re-read every 100 ms, so a run that dies leaves at most a file a
// revert (or a node restart: it lives on /run) sets back to 0. -stats is
// rewritten every second, and at once when the delay changes, with the delay
// in force and what was delayed: evidence the layer took the change.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

var (
	delayMs   atomic.Int64
	fsyncs    atomic.Int64
	delayed   atomic.Int64
	delayedMs atomic.Int64
)

type node struct{ fs.LoopbackNode }

// Fsync takes precedence over the file handle's own Fsync in go-fuse's bridge.
func (n *node) Fsync(ctx context.Context, f fs.FileHandle, flags uint32) syscall.Errno {
	fsyncs.Add(1)
	if d := delayMs.Load(); d > 0 {
		t := time.NewTimer(time.Duration(d) * time.Millisecond)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return syscall.EINTR
		}
		delayed.Add(1)
		delayedMs.Add(d)
	}
	if s, ok := f.(fs.FileFsyncer); ok {
		return s.Fsync(ctx, flags)
	}
	return 0
}

func readDelay(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

func notifyReady() {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return
	}
	c, err := net.Dial("unixgram", addr)
	if err != nil {
		log.Printf("sd_notify: %v", err)
		return
	}
	defer c.Close()
	_, _ = c.Write([]byte("READY=1"))
}

func writeStats(path string) {
	s := fmt.Sprintf("delay_ms %d\nfsyncs %d\ndelayed %d\ndelayed_ms %d\n", delayMs.Load(), fsyncs.Load(), delayed.Load(), delayedMs.Load())
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(s), 0o644) == nil {
		_ = os.Rename(tmp, path)
	}
}

func main() {
	backing := flag.String("backing", "", "directory the file system passes through to")
	mount := flag.String("mount", "", "mount point")
	control := flag.String("control", "", "file holding the fsync delay in milliseconds")
	stats := flag.String("stats", "", "file rewritten every second with fsync counts")
	flag.Parse()
	if *backing == "" || *mount == "" || *control == "" {
		log.Fatal("usage: kdrill-slowfs -backing DIR -mount DIR -control FILE [-stats FILE]")
	}
	delayMs.Store(readDelay(*control))

	var st syscall.Stat_t
	if err := syscall.Stat(*backing, &st); err != nil {
		log.Fatalf("backing dir: %v", err)
	}
	root := &fs.LoopbackRoot{Path: *backing, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &node{fs.LoopbackNode{RootData: r}}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)
	sec := time.Second
	server, err := fs.Mount(*mount, root.RootNode, &fs.Options{
		AttrTimeout:  &sec,
		EntryTimeout: &sec,
		MountOptions: fuse.MountOptions{
			AllowOther:  true,
			DirectMount: true,
			FsName:      *backing,
			Name:        "kdrill-slowfs",
		},
	})
	if err != nil {
		log.Fatalf("mount %s: %v", *mount, err)
	}
	log.Printf("%s mounted on %s, fsync delay from %s (now %d ms)", *backing, *mount, *control, delayMs.Load())
	notifyReady()

	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		n := 0
		for range tick.C {
			changed := false
			if d := readDelay(*control); d != delayMs.Load() {
				log.Printf("fsync delay %d ms -> %d ms", delayMs.Load(), d)
				delayMs.Store(d)
				changed = true
			}
			// at once on a change, so the delay in force can be confirmed; else every second
			if n++; *stats != "" && (changed || n%10 == 0) {
				writeStats(*stats)
			}
		}
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		if err := server.Unmount(); err != nil {
			log.Printf("unmount: %v", err)
			os.Exit(1)
		}
	}()
	server.Wait()
}
