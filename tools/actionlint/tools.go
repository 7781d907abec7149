//go:build tools

// Package tools pins actionlint for `go build github.com/rhysd/actionlint/cmd/actionlint`.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
