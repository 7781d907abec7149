// kdrill-slowfs: etcd's data dir through a FUSE layer with a settable fsync delay.
module kdrill.local/images/slowfs

go 1.24.0

require github.com/hanwen/go-fuse/v2 v2.9.0

require golang.org/x/sys v0.28.0 // indirect
