package terraform

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// anywhere reports a source that is the whole internet: 0.0.0.0/0, ::/0,
// and the spellings Azure's rules use (*, Internet, Any).
func anywhere(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "0.0.0.0/0", "::/0", "0000:0000:0000:0000:0000:0000:0000:0000/0", "*", "internet", "any":
		return true
	}
	return false
}

// publicIP reports an address that is neither private, loopback nor
// link-local (an Azure firewall rule's start or end address).
func publicIP(s string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return false
	}
	return !(a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified())
}

// adminPorts are the ports of remote administration and of data stores
// that must never face the internet, with the service's name for messages.
var adminPorts = []struct {
	port int
	name string
}{
	{20, "FTP"}, {21, "FTP"}, {22, "SSH"}, {23, "Telnet"}, {135, "Windows RPC"}, {139, "NetBIOS"},
	{445, "SMB"}, {1433, "SQL Server"}, {1521, "Oracle"}, {2375, "Docker"}, {2376, "Docker"},
	{3306, "MySQL"}, {3389, "RDP"}, {5432, "PostgreSQL"}, {5900, "VNC"}, {5984, "CouchDB"},
	{6379, "Redis"}, {9200, "Elasticsearch"}, {11211, "memcached"}, {27017, "MongoDB"},
}

// portRange is an inclusive range of ports.
type portRange struct{ from, to int }

func (p portRange) has(port int) bool { return p.from <= port && port <= p.to }

// allPorts is every port.
var allPorts = portRange{0, 65535}

// parsePorts reads "22", "20-21" or "*" (Azure and Google spell ranges so).
func parsePorts(s string) (portRange, bool) {
	s = strings.TrimSpace(s)
	if s == "*" || strings.EqualFold(s, "any") {
		return allPorts, true
	}
	from, to, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(strings.TrimSpace(from))
	if err != nil {
		return portRange{}, false
	}
	if !isRange {
		return portRange{a, a}, true
	}
	b, err := strconv.Atoi(strings.TrimSpace(to))
	if err != nil {
		return portRange{}, false
	}
	return portRange{a, b}, true
}

// exposed are the admin ports some range opens, in port order.
type exposed []int

func exposedPorts(ranges []portRange) exposed {
	var out exposed
	for _, ap := range adminPorts {
		for _, r := range ranges {
			if r.has(ap.port) {
				out = append(out, ap.port)
				break
			}
		}
	}
	sort.Ints(out)
	return out
}

func (e exposed) has(port int) bool {
	for _, p := range e {
		if p == port {
			return true
		}
	}
	return false
}

// names spells the exposed ports for a message: "SSH (22), RDP (3389)".
func (e exposed) names() string {
	var parts []string
	for _, p := range e {
		for _, ap := range adminPorts {
			if ap.port == p {
				parts = append(parts, fmt.Sprintf("%s (%d)", ap.name, p))
				break
			}
		}
		if len(parts) == 4 && len(e) > 4 {
			parts = append(parts, fmt.Sprintf("%d more", len(e)-4))
			break
		}
	}
	return strings.Join(parts, ", ")
}

// tcpOrAll reports a protocol that carries TCP: tcp, 6, or every protocol
// (-1, all, *).
func tcpOrAll(p string) (tcp, all bool) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "-1", "all", "*":
		return true, true
	case "tcp", "6":
		return true, false
	}
	return false, false
}
