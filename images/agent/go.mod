// kdrill-agent: the one static binary in kdrill's FROM-scratch workload image:
// an HTTP echo server, a client that resolves and calls a Service, and a
// memory leaker for the node-pressure drills.
module kdrill.local/images/agent

go 1.24.0
