package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Google Cloud rules (the google provider).

func gcpPlaintextDiskKey(a *analysis, r *resource) {
	b := r.body()
	report := func(v value, where string) {
		if !v.present || v.empty() {
			return
		}
		a.report(issue{slug: "gcp-disk-plaintext-key", r: r, line: v.line, detail: where,
			msg: fmt.Sprintf("%s writes a disk encryption key in plain text (%s): anyone who reads the code or the state has the key", r.addr(), where),
			fix: fmt.Sprintf("Remove the key from line %d, rotate it, and use a Cloud KMS key instead: `kms_key_self_link = google_kms_crypto_key.<name>.id`.", v.line)})
	}
	switch r.typ {
	case "google_compute_disk":
		for _, k := range b.blocks("disk_encryption_key") {
			report(k.attr("raw_key"), "disk_encryption_key.raw_key")
			report(k.attr("rsa_encrypted_key"), "disk_encryption_key.rsa_encrypted_key")
		}
	case "google_compute_instance":
		for _, name := range []string{"boot_disk", "attached_disk"} {
			for _, d := range b.blocks(name) {
				report(d.attr("disk_encryption_key_raw"), name+".disk_encryption_key_raw")
			}
		}
	}
}

func gcpDiskCustomerKey(a *analysis, r *resource) {
	b := r.body()
	for _, k := range b.blocks("disk_encryption_key") {
		for _, attr := range []string{"kms_key_self_link", "raw_key", "rsa_encrypted_key"} {
			if v := k.attr(attr); v.present && !v.empty() {
				return
			}
		}
	}
	a.report(issue{slug: "gcp-disk-no-customer-key", r: r, detail: "disk_encryption_key",
		msg: fmt.Sprintf("%s is encrypted with Google-managed keys, not a Cloud KMS key you control", r.addr()),
		fix: addFix(b, "disk_encryption_key { kms_key_self_link = google_kms_crypto_key.<name>.id }")})
}

func gcpBucket(a *analysis, r *resource) {
	b := r.body()
	enc, _ := b.block("encryption")
	if v := enc.attr("default_kms_key_name"); v.present && !v.empty() {
		return
	}
	a.report(issue{slug: "gcp-bucket-no-customer-key", r: r, detail: "encryption",
		msg: fmt.Sprintf("%s is encrypted with Google-managed keys, not a Cloud KMS key you control", r.addr()),
		fix: addFix(enc, "default_kms_key_name = google_kms_crypto_key.<name>.id")})
}

// publicMembers are the IAM members that mean anyone.
func publicMember(m string) bool { return m == "allUsers" || m == "allAuthenticatedUsers" }

func gcpBucketIAM(a *analysis, r *resource) {
	b := r.body()
	var vals []value
	switch r.typ {
	case "google_storage_bucket_iam_binding":
		vals = []value{b.attr("members")}
	case "google_storage_bucket_iam_member":
		vals = []value{b.attr("member")}
	case "google_storage_bucket_acl", "google_storage_default_object_acl":
		vals = []value{b.attr("role_entity")}
	}
	for _, v := range vals {
		for _, m := range v.strs() {
			entity := m
			if i := strings.LastIndexByte(m, ':'); i >= 0 && r.typ != "google_storage_bucket_iam_member" && r.typ != "google_storage_bucket_iam_binding" {
				entity = m[i+1:]
			}
			if publicMember(entity) {
				a.report(issue{slug: "gcp-bucket-public", r: r, line: v.line, detail: m,
					msg: fmt.Sprintf("%s grants %q access to the bucket: anyone on the internet", r.addr(), entity),
					fix: fmt.Sprintf("Remove %q on line %d and grant access to named users, groups or service accounts; set `public_access_prevention = \"enforced\"` on the bucket.", m, v.line)})
				return
			}
		}
	}
}

func gcpSQL(a *analysis, r *resource) {
	settings, _ := r.body().block("settings")
	ipc, _ := settings.block("ip_configuration")
	for _, n := range ipc.blocks("authorized_networks") {
		v := n.attr("value")
		if s, ok := v.str(); ok && anywhere(s) {
			a.report(issue{slug: "gcp-sql-open", r: r, line: v.line, block: n.line, detail: "authorized_networks:" + s,
				msg: fmt.Sprintf("%s lets the whole internet connect to the database (authorized network %s)", r.addr(), s),
				fix: fmt.Sprintf("On line %d authorize only your application's addresses, or set `ipv4_enabled = false` and connect through a private IP or the Cloud SQL Auth Proxy.", v.line)})
		}
	}
	mode := ipc.attr("ssl_mode")
	if s, ok := mode.str(); ok && s != "" {
		if s == "ENCRYPTED_ONLY" || s == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" {
			return
		}
		a.report(issue{slug: "gcp-sql-ssl-not-enforced", r: r, line: mode.line, block: ipc.line, detail: "ssl",
			msg: fmt.Sprintf("%s accepts unencrypted connections (ssl_mode = %q)", r.addr(), s),
			fix: changeFix(mode.line, `ssl_mode = "ENCRYPTED_ONLY"`)})
		return
	}
	if mode.present {
		return // unknown: not guessed
	}
	req := ipc.attr("require_ssl")
	if req.isTrue() || req.present && !req.known() {
		return
	}
	a.report(issue{slug: "gcp-sql-ssl-not-enforced", r: r, line: req.line, block: ipc.line, detail: "ssl",
		msg: fmt.Sprintf("%s accepts unencrypted connections (ssl_mode defaults to ALLOW_UNENCRYPTED_AND_ENCRYPTED)", r.addr()),
		fix: setFix(ipc, mode, `ssl_mode = "ENCRYPTED_ONLY"`)})
}

func gcpFirewall(a *analysis, r *resource) {
	b := r.body()
	if d := b.attr("direction"); d.present {
		if s, ok := d.str(); !ok || !strings.EqualFold(s, "INGRESS") {
			return
		}
	}
	if b.attr("disabled").isTrue() {
		return
	}
	src := b.attr("source_ranges")
	var world string
	for _, s := range src.strs() {
		if anywhere(s) {
			world = s
		}
	}
	if world == "" {
		return
	}
	var ranges []portRange
	for _, al := range b.blocks("allow") {
		proto, ok := al.attr("protocol").str()
		if !ok {
			continue
		}
		if tcp, _ := tcpOrAll(proto); !tcp {
			continue
		}
		ports := al.attr("ports")
		if !ports.present {
			ranges = append(ranges, allPorts)
			continue
		}
		if _, known := ports.list(); !known {
			continue
		}
		for _, p := range ports.strs() {
			if pr, ok := parsePorts(p); ok {
				ranges = append(ranges, pr)
			}
		}
	}
	open := exposedPorts(ranges)
	if len(open) == 0 {
		return
	}
	var keep []string
	if open.has(22) {
		keep = append(keep, "GCP-0071", "CKV_GCP_2")
	}
	if open.has(3389) {
		keep = append(keep, "GCP-0070", "CKV_GCP_3")
	}
	a.report(issue{slug: "gcp-firewall-open-admin-port", r: r, line: src.line, detail: "source_ranges",
		msg:  fmt.Sprintf("%s lets %s in from anywhere (%s)", r.addr(), open.names(), world),
		fix:  fmt.Sprintf("On line %d allow only your network (e.g. [\"10.0.0.0/8\"]); for SSH prefer Identity-Aware Proxy TCP forwarding (source range 35.235.240.0/20).", src.line),
		refs: pick("gcp-firewall-open-admin-port", keep...)})
}

func gcpGKE(a *analysis, r *resource) {
	b := r.body()
	if b.attr("enable_autopilot").isTrue() {
		// Autopilot's nodes are private unless asked otherwise.
	} else {
		pc, _ := b.block("private_cluster_config")
		a.boolSetting("gcp-gke-public-nodes", pc, "enable_private_nodes", true, true, nil,
			"%s gives its nodes public IP addresses (private_cluster_config.enable_private_nodes is not true)")
	}
	pc, _ := b.block("private_cluster_config")
	if pc.attr("enable_private_endpoint").isTrue() {
		return // no public endpoint at all
	}
	man, ok := b.block("master_authorized_networks_config")
	if !ok {
		a.report(issue{slug: "gcp-gke-control-plane-open", r: r, detail: "master_authorized_networks_config",
			msg:  fmt.Sprintf("%s lets the whole internet reach its control plane (no master_authorized_networks_config)", r.addr()),
			fix:  addFix(b, `master_authorized_networks_config { cidr_blocks { cidr_block = "<your VPN range>"  display_name = "vpn" } }`),
			refs: pick("gcp-gke-control-plane-open", "GCP-0061", "CKV_GCP_20")})
		return
	}
	for _, cb := range man.blocks("cidr_blocks") {
		v := cb.attr("cidr_block")
		if s, ok := v.str(); ok && anywhere(s) {
			a.report(issue{slug: "gcp-gke-control-plane-open", r: r, line: v.line, block: cb.line, detail: "cidr_block",
				msg: fmt.Sprintf("%s authorizes %s to reach its control plane: the whole internet", r.addr(), s),
				fix: changeFix(v.line, `cidr_block = "<your VPN range>"`), refs: pick("gcp-gke-control-plane-open", "GCP-0053")})
		}
	}
}

func gcpInstancePublicIP(a *analysis, r *resource) {
	for _, ni := range r.body().blocks("network_interface") {
		for _, ac := range ni.blocks("access_config") {
			a.report(issue{slug: "gcp-instance-public-ip", r: r, line: ac.line, block: ni.line, detail: fmt.Sprintf("access_config:%d", ac.line),
				msg:  fmt.Sprintf("%s has a public IP address (an access_config block in its network_interface)", r.addr()),
				fix:  fmt.Sprintf("Remove the access_config block on line %d; reach the instance through IAP or a bastion, and the internet through Cloud NAT.", ac.line),
				refs: refsFor(r.typ == "google_compute_instance", pick("gcp-instance-public-ip", "GCP-0031", "CKV_GCP_40"), pick("gcp-instance-public-ip", "CKV_GCP_40"))})
		}
	}
}

func gcpSSLPolicy(a *analysis, r *resource) {
	b := r.body()
	v := b.attr("min_tls_version")
	s, ok := v.str()
	if v.present && !ok {
		return
	}
	if s == "TLS_1_2" || s == "TLS_1_3" {
		return
	}
	msg := fmt.Sprintf("%s accepts TLS versions below 1.2 (min_tls_version = %q)", r.addr(), s)
	if !v.present {
		msg = fmt.Sprintf("%s accepts TLS 1.0 (min_tls_version defaults to TLS_1_0)", r.addr())
	}
	a.report(issue{slug: "gcp-ssl-policy-outdated-tls", r: r, line: v.line, detail: "min_tls_version",
		msg: msg, fix: setFix(b, v, `min_tls_version = "TLS_1_2"`)})
}

// gcpAuditConfig checks a project's audit log configuration: all services,
// and admin reads, data reads and data writes.
func auditConfigGaps(r *resource) (missing []string, service value, ok bool) {
	b := r.body()
	service = b.attr("service")
	svc, known := service.str()
	if !known {
		return nil, service, false
	}
	have := map[string]bool{}
	for _, lc := range b.blocks("audit_log_config") {
		t, known := lc.attr("log_type").str()
		if !known {
			return nil, service, false
		}
		have[t] = true
	}
	if svc != "allServices" {
		missing = append(missing, "allServices")
	}
	for _, t := range []string{"ADMIN_READ", "DATA_READ", "DATA_WRITE"} {
		if !have[t] {
			missing = append(missing, t)
		}
	}
	return missing, service, true
}

func gcpAuditConfig(a *analysis, r *resource) {
	if r.typ == "google_project" {
		gcpProjectAudit(a, r)
		return
	}
	missing, service, ok := auditConfigGaps(r)
	if !ok || len(missing) == 0 {
		return
	}
	a.report(issue{slug: "gcp-audit-logs-incomplete", r: r, line: service.line, detail: "audit",
		msg: fmt.Sprintf("%s does not record %s", r.addr(), strings.Join(missing, ", ")),
		fix: "Set `service = \"allServices\"` with three audit_log_config blocks: log_type = \"ADMIN_READ\", \"DATA_READ\" and \"DATA_WRITE\"."})
}

func gcpProjectAudit(a *analysis, r *resource) {
	for _, typ := range []string{"google_project_iam_audit_config", "google_organization_iam_audit_config", "google_folder_iam_audit_config"} {
		if len(r.mod.byType[typ]) > 0 {
			return // the configuration resource is checked on its own
		}
	}
	a.report(issue{slug: "gcp-audit-logs-incomplete", r: r, detail: "audit",
		msg: fmt.Sprintf("%s has no data access audit logs configured in this module", r.addr()),
		fix: fmt.Sprintf("Add:\nresource \"google_project_iam_audit_config\" %s {\n  project = %s.project_id\n  service = \"allServices\"\n  audit_log_config { log_type = \"ADMIN_READ\" }\n  audit_log_config { log_type = \"DATA_READ\" }\n  audit_log_config { log_type = \"DATA_WRITE\" }\n}", quote(r.name), r.addr())})
}

// privilegedRole is a basic role or an administrator role.
func privilegedRole(role string) bool {
	return role == "roles/owner" || role == "roles/editor" || strings.HasSuffix(strings.ToLower(role), "admin")
}

// memberPrefix is the known start of a member: the whole value when
// known, else the literal start of a template ("serviceAccount:${...}").
func memberPrefix(v value) []string {
	if elems, _ := v.list(); len(elems) > 0 {
		var out []string
		for _, e := range elems {
			if s, ok := e.str(); ok {
				out = append(out, s)
			}
		}
		if len(out) > 0 || v.known() {
			return out
		}
	}
	if t, ok := v.expr.(*hclsyntax.TemplateExpr); ok && len(t.Parts) > 0 {
		if lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.IsKnown() && lit.Val.Type().FriendlyName() == "string" {
			return []string{lit.Val.AsString()}
		}
	}
	return nil
}

func gcpPrivilegedServiceAccount(a *analysis, r *resource) {
	b := r.body()
	role := b.attr("role")
	rs, ok := role.str()
	if !ok || !privilegedRole(rs) {
		return
	}
	mv := b.attr("member")
	if strings.HasSuffix(r.typ, "_binding") {
		mv = b.attr("members")
	}
	for _, m := range memberPrefix(mv) {
		if strings.HasPrefix(m, "serviceAccount:") {
			a.report(issue{slug: "gcp-service-account-privileged", r: r, line: role.line, detail: "role",
				msg: fmt.Sprintf("%s grants a service account %q: whoever runs as it, or steals its key, controls the %s", r.addr(), rs, strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(r.typ, "_member"), "_binding"), "google_")),
				fix: fmt.Sprintf("On line %d grant a predefined role limited to what the workload does (e.g. \"roles/storage.objectViewer\"), or a custom role.", role.line)})
			return
		}
	}
}

// refsFor chooses between two sets of refs.
func refsFor(first bool, a, b []string) []string {
	if first {
		return a
	}
	return b
}
