package terraform

import (
	"fmt"
	"strings"
)

// AWS rules. Each reads one resource (and what links to it); provider
// defaults come from the AWS provider's documentation.

// awsS3Bucket checks a bucket: its public access block, its ACL and
// whether it encrypts with a customer-managed key.
func awsS3PublicAccessBlock(a *analysis, r *resource) {
	pabs := r.linkedFrom("aws_s3_bucket_public_access_block", "bucket", "bucket", "id")
	if len(pabs) == 0 {
		a.report(issue{slug: "aws-s3-no-public-access-block", r: r, detail: "pab",
			msg: fmt.Sprintf("%s has no aws_s3_bucket_public_access_block in this module: nothing stops a later ACL or policy from making it public", r.addr()),
			fix: fmt.Sprintf("Add a public access block for it:\nresource \"aws_s3_bucket_public_access_block\" %s {\n  bucket                  = %s.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}", quote(r.name), r.addr())})
		return
	}
	for _, p := range pabs {
		b := p.body()
		for _, s := range []struct{ attr, trivy, checkov, what string }{
			{"block_public_acls", "AWS-0086", "CKV_AWS_53", "public ACLs can still be set"},
			{"block_public_policy", "AWS-0087", "CKV_AWS_54", "a public bucket policy can still be set"},
			{"ignore_public_acls", "AWS-0091", "CKV_AWS_55", "public ACLs are still honoured"},
			{"restrict_public_buckets", "AWS-0093", "CKV_AWS_56", "a public policy still grants public access"},
		} {
			a.boolSetting("aws-s3-public-access-block-off", b, s.attr, true, true,
				pick("aws-s3-public-access-block-off", s.trivy, s.checkov),
				"%s does not set "+s.attr+" = true: "+s.what)
		}
	}
}

// publicACLs are the canned ACLs that open a bucket beyond the account.
var publicACLs = map[string]string{
	"public-read":        "anyone can list and read it",
	"public-read-write":  "anyone can read and write it",
	"authenticated-read": "every AWS account can read it",
	"website":            "anyone can read it",
}

func awsS3PublicACL(a *analysis, r *resource) {
	check := func(owner *resource, v value) {
		acl, ok := v.str()
		if !ok {
			return
		}
		why, public := publicACLs[strings.ToLower(acl)]
		if !public {
			return
		}
		refs := pick("aws-s3-public-acl", "AWS-0092", "CKV_AWS_20")
		if strings.Contains(acl, "write") {
			refs = pick("aws-s3-public-acl", "AWS-0092", "CKV_AWS_20", "CKV_AWS_57")
		}
		a.report(issue{slug: "aws-s3-public-acl", r: owner, line: v.line, detail: "acl",
			msg:  fmt.Sprintf("%s gives the bucket the canned ACL %q: %s", owner.addr(), acl, why),
			fix:  changeFix(v.line, `acl = "private"`) + " Serve public content through CloudFront with origin access control instead.",
			refs: refs})
	}
	switch r.typ {
	case "aws_s3_bucket":
		check(r, r.body().attr("acl"))
	case "aws_s3_bucket_acl":
		check(r, r.body().attr("acl"))
	}
}

// logBucket reports a bucket that receives S3 server access logs: such a
// bucket cannot use SSE-KMS, so a customer key is not asked of it.
func logBucket(r *resource) bool {
	if acl, ok := r.body().attr("acl").str(); ok && strings.EqualFold(acl, "log-delivery-write") {
		return true
	}
	for _, acl := range r.linkedFrom("aws_s3_bucket_acl", "bucket", "bucket", "id") {
		b := acl.body()
		if s, ok := b.attr("acl").str(); ok && strings.EqualFold(s, "log-delivery-write") {
			return true
		}
		for _, acp := range b.blocks("access_control_policy") {
			for _, g := range acp.blocks("grant") {
				perm, _ := g.attr("permission").str()
				for _, ge := range g.blocks("grantee") {
					if uri, ok := ge.attr("uri").str(); ok && strings.HasSuffix(uri, "/s3/LogDelivery") && (perm == "WRITE" || perm == "FULL_CONTROL") {
						return true
					}
				}
			}
		}
	}
	for _, pol := range r.linkedFrom("aws_s3_bucket_policy", "bucket", "bucket", "id") {
		doc, ok := pol.body().attr("policy").str()
		if ok && strings.Contains(doc, "logging.s3.amazonaws.com") && strings.Contains(strings.ToLower(doc), "s3:putobject") {
			return true
		}
	}
	return false
}

func awsS3CustomerKey(a *analysis, r *resource) {
	if logBucket(r) {
		return
	}
	// The encryption configuration is a resource of its own (provider 4+)
	// or, deprecated, a block of the bucket.
	var rules []body
	for _, c := range r.linkedFrom("aws_s3_bucket_server_side_encryption_configuration", "bucket", "bucket", "id") {
		rules = append(rules, c.body().blocks("rule")...)
	}
	for _, c := range r.body().blocks("server_side_encryption_configuration") {
		rules = append(rules, c.blocks("rule")...)
	}
	line := 0
	for _, rl := range rules {
		for _, d := range rl.blocks("apply_server_side_encryption_by_default") {
			key := d.attr("kms_master_key_id")
			if key.present && !key.empty() {
				return // a key is named (or refers to one): customer managed
			}
			if line == 0 {
				line = d.at()
				if alg := d.attr("sse_algorithm"); alg.present {
					line = alg.line
				}
			}
		}
	}
	at := r
	if line > 0 && len(rules) > 0 {
		at = rules[0].r
	}
	a.report(issue{slug: "aws-s3-no-customer-key", r: at, line: line, detail: "sse:" + r.addr(),
		msg: fmt.Sprintf("%s is encrypted with S3-managed keys (SSE-S3), not a KMS key you control: access to the data is not gated or logged by a key policy", r.addr()),
		fix: "Encrypt with a customer-managed KMS key: in the bucket's aws_s3_bucket_server_side_encryption_configuration, set `sse_algorithm = \"aws:kms\"` and `kms_master_key_id = aws_kms_key.<name>.arn` in apply_server_side_encryption_by_default."})
}

func awsRDSEncryption(a *analysis, r *resource) {
	b := r.body()
	trivyID, checkovID := "AWS-0080", "CKV_AWS_16"
	if r.typ == "aws_rds_cluster" {
		trivyID, checkovID = "AWS-0079", "CKV_AWS_96"
		// A cluster restored from a snapshot or a replica inherits its
		// source's encryption.
		if b.attr("snapshot_identifier").present || b.attr("replication_source_identifier").present {
			return
		}
	} else if b.attr("replicate_source_db").present || b.attr("snapshot_identifier").present {
		return
	}
	if a.boolSetting("aws-rds-unencrypted", b, "storage_encrypted", true, true,
		pick("aws-rds-unencrypted", trivyID, checkovID),
		"%s stores its data unencrypted (storage_encrypted is not true)") {
		return
	}
	if !b.attr("storage_encrypted").isTrue() {
		return
	}
	if key := b.attr("kms_key_id"); key.absentOrEmpty() {
		refs := []string{}
		if r.typ == "aws_rds_cluster" {
			refs = pick("aws-rds-no-customer-key", "AWS-0079")
		}
		a.report(issue{slug: "aws-rds-no-customer-key", r: r, line: key.line, detail: "kms_key_id",
			msg: fmt.Sprintf("%s is encrypted with the AWS-managed key aws/rds, not a KMS key you control", r.addr()),
			fix: setFix(b, key, "kms_key_id = aws_kms_key.<name>.arn"), refs: refs})
	}
}

func awsEBSEncryption(a *analysis, r *resource) {
	b := r.body()
	switch r.typ {
	case "aws_ebs_volume":
		if b.attr("snapshot_id").present || encryptedByDefault(r.mod) {
			return
		}
		a.boolSetting("aws-ebs-unencrypted", b, "encrypted", true, true,
			pick("aws-ebs-unencrypted", "AWS-0026", "CKV_AWS_3"),
			"%s is an unencrypted EBS volume")
	case "aws_instance", "aws_launch_configuration":
		trivyID := "AWS-0131"
		if r.typ == "aws_launch_configuration" {
			trivyID = "AWS-0008"
		}
		refs := pick("aws-ebs-unencrypted", trivyID, "CKV_AWS_8")
		byDefault := encryptedByDefault(r.mod)
		for _, name := range []string{"root_block_device", "ebs_block_device"} {
			for _, d := range b.blocks(name) {
				if d.attr("snapshot_id").present {
					continue
				}
				a.boolSetting("aws-ebs-unencrypted", d, "encrypted", true, !byDefault, refs,
					"%s has an unencrypted "+name)
			}
		}
	case "aws_launch_template":
		byDefault := encryptedByDefault(r.mod)
		for _, m := range b.blocks("block_device_mappings") {
			for _, e := range m.blocks("ebs") {
				if e.attr("snapshot_id").present {
					continue
				}
				a.boolSetting("aws-ebs-unencrypted", e, "encrypted", true, !byDefault,
					pick("aws-ebs-unencrypted", "CKV_AWS_8"), "%s maps an unencrypted EBS volume")
			}
		}
	}
}

// encryptedByDefault reports a module that turns on EBS encryption by
// default for the account and region: an EBS volume that does not ask for
// encryption gets it anyway.
func encryptedByDefault(m *module) bool {
	for _, r := range m.byType["aws_ebs_encryption_by_default"] {
		v := r.body().attr("enabled")
		if !v.present || v.isTrue() {
			return true
		}
	}
	return false
}

// awsStorageEncryption is the simple case of many AWS data stores: one
// boolean that must be true.
func awsStorageEncryption(slug, attr, trivyID, checkovID, what string, absentBad bool) func(*analysis, *resource) {
	return func(a *analysis, r *resource) {
		a.boolSetting(slug, r.body(), attr, true, absentBad, pick(slug, trivyID, checkovID),
			"%s stores its data unencrypted ("+what+")")
	}
}

func awsRedshiftEncryption(a *analysis, r *resource) {
	b := r.body()
	if b.attr("snapshot_identifier").present {
		return
	}
	a.boolSetting("aws-redshift-unencrypted", b, "encrypted", true, true, nil,
		"%s stores its data unencrypted (encrypted is not true)")
}

func awsElasticsearch(a *analysis, r *resource) {
	b := r.body()
	enc, _ := b.block("encrypt_at_rest")
	a.boolSetting("aws-elasticsearch-unencrypted", enc, "enabled", true, true, nil,
		"%s stores its indices unencrypted (encrypt_at_rest is not enabled)")
	ep, _ := b.block("domain_endpoint_options")
	if a.boolSetting("aws-elasticsearch-plain-http", ep, "enforce_https", true, true, nil,
		"%s accepts plain HTTP (domain_endpoint_options.enforce_https is not true)") {
		return
	}
	pol := ep.attr("tls_security_policy")
	s, ok := pol.str()
	if pol.present && !ok {
		return
	}
	if s != "Policy-Min-TLS-1-2-2019-07" && s != "Policy-Min-TLS-1-2-PFS-2023-10" {
		msg := fmt.Sprintf("%s accepts TLS versions below 1.2 (tls_security_policy is %q)", r.addr(), s)
		if !pol.present {
			msg = fmt.Sprintf("%s accepts TLS versions below 1.2 (tls_security_policy defaults to Policy-Min-TLS-1-0-2019-07)", r.addr())
		}
		a.report(issue{slug: "aws-elasticsearch-outdated-tls", r: r, line: pol.line, block: ep.line, detail: "tls_security_policy",
			msg: msg, fix: setFix(ep, pol, `tls_security_policy = "Policy-Min-TLS-1-2-PFS-2023-10"`)})
	}
}

func awsDAXEncryption(a *analysis, r *resource) {
	sse, _ := r.body().block("server_side_encryption")
	a.boolSetting("aws-dax-unencrypted", sse, "enabled", true, true, nil,
		"%s stores its cache unencrypted (server_side_encryption is not enabled)")
}

func awsEKSSecrets(a *analysis, r *resource) {
	for _, ec := range r.body().blocks("encryption_config") {
		secrets := false
		for _, s := range ec.attr("resources").strs() {
			if s == "secrets" {
				secrets = true
			}
		}
		if _, known := ec.attr("resources").list(); !known {
			return
		}
		if !secrets {
			continue
		}
		p, _ := ec.block("provider")
		if key := p.attr("key_arn"); key.present && !key.empty() {
			return
		}
	}
	a.report(issue{slug: "aws-eks-secrets-unencrypted", r: r, detail: "encryption_config",
		msg: fmt.Sprintf("%s does not encrypt Kubernetes secrets with a KMS key: they are readable by anyone who reads etcd", r.addr()),
		fix: addFix(r.body(), `encryption_config { resources = ["secrets"]  provider { key_arn = aws_kms_key.<name>.arn } }`)})
}

func awsRDSPublic(a *analysis, r *resource) {
	a.boolSetting("aws-rds-public", r.body(), "publicly_accessible", false, false, nil,
		"%s gets a public IP address and a public DNS name (publicly_accessible = true)")
}

// awsIngress is one ingress rule of a security group or network ACL.
type awsIngress struct {
	owner    body
	protocol value
	from, to value
	cidrs    []value // cidr_blocks, ipv6_cidr_blocks, cidr_ipv4...
}

func (a *analysis) awsOpenAdmin(slug string, in awsIngress, trivyID string, checkov map[int]string, what string) {
	proto, ok := in.protocol.str()
	if !ok {
		return
	}
	tcp, all := tcpOrAll(proto)
	if !tcp && !strings.EqualFold(proto, "udp") && proto != "17" {
		return
	}
	var ports portRange
	if all {
		ports = allPorts
	} else {
		f, ok1 := in.from.num()
		t, ok2 := in.to.num()
		if !ok1 || !ok2 {
			return
		}
		ports = portRange{int(f), int(t)}
		if int(f) == 0 && int(t) == 0 {
			return
		}
	}
	open := exposedPorts([]portRange{ports})
	if !tcp {
		return // UDP: none of the admin ports is UDP
	}
	if len(open) == 0 {
		return
	}
	for _, c := range in.cidrs {
		elems, _ := c.list()
		for _, e := range elems {
			s, ok := e.str()
			if !ok || !anywhere(s) {
				continue
			}
			keep := []string{}
			if open.has(22) || open.has(3389) {
				keep = append(keep, trivyID)
			}
			for port, id := range checkov {
				if open.has(port) {
					keep = append(keep, id)
				}
			}
			a.report(issue{slug: slug, r: in.owner.r, line: c.line, block: in.owner.line, detail: fmt.Sprintf("%s:%d-%d:%s", in.owner.path, ports.from, ports.to, s),
				msg:  fmt.Sprintf("%s %s %s from anywhere (%s)", in.owner.r.addr(), what, open.names(), s),
				fix:  fmt.Sprintf("On line %d, allow only your network or a bastion's address (e.g. [\"10.0.0.0/16\"]); for administration prefer AWS Systems Manager Session Manager, which needs no open port.", c.line),
				refs: pick(slug, keep...)})
			return
		}
	}
}

func awsSecurityGroup(a *analysis, r *resource) {
	b := r.body()
	checkov := map[int]string{22: "CKV_AWS_24", 3389: "CKV_AWS_25"}
	switch r.typ {
	case "aws_security_group":
		for _, in := range b.blocks("ingress") {
			a.awsOpenAdmin("aws-security-group-open-admin-port", awsIngress{owner: in, protocol: in.attr("protocol"), from: in.attr("from_port"), to: in.attr("to_port"),
				cidrs: []value{in.attr("cidr_blocks"), in.attr("ipv6_cidr_blocks")}}, "AWS-0107", checkov, "opens")
		}
	case "aws_security_group_rule":
		if t, ok := b.attr("type").str(); !ok || t != "ingress" {
			return
		}
		a.awsOpenAdmin("aws-security-group-open-admin-port", awsIngress{owner: b, protocol: b.attr("protocol"), from: b.attr("from_port"), to: b.attr("to_port"),
			cidrs: []value{b.attr("cidr_blocks"), b.attr("ipv6_cidr_blocks")}}, "AWS-0107", checkov, "opens")
	case "aws_vpc_security_group_ingress_rule":
		a.awsOpenAdmin("aws-security-group-open-admin-port", awsIngress{owner: b, protocol: b.attr("ip_protocol"), from: b.attr("from_port"), to: b.attr("to_port"),
			cidrs: []value{b.attr("cidr_ipv4"), b.attr("cidr_ipv6")}}, "AWS-0107", checkov, "opens")
	}
}

func awsNetworkACL(a *analysis, r *resource) {
	b := r.body()
	checkov := map[int]string{22: "CKV_AWS_232", 3389: "CKV_AWS_231"}
	allow := func(v value) bool { s, ok := v.str(); return ok && strings.EqualFold(s, "allow") }
	switch r.typ {
	case "aws_network_acl_rule":
		if b.attr("egress").isTrue() || !allow(b.attr("rule_action")) {
			return
		}
		a.awsOpenAdmin("aws-nacl-open-admin-port", awsIngress{owner: b, protocol: b.attr("protocol"), from: b.attr("from_port"), to: b.attr("to_port"),
			cidrs: []value{b.attr("cidr_block"), b.attr("ipv6_cidr_block")}}, "AWS-0105", checkov, "lets in")
	case "aws_network_acl":
		for _, in := range b.blocks("ingress") {
			if !allow(in.attr("action")) {
				continue
			}
			a.awsOpenAdmin("aws-nacl-open-admin-port", awsIngress{owner: in, protocol: in.attr("protocol"), from: in.attr("from_port"), to: in.attr("to_port"),
				cidrs: []value{in.attr("cidr_block"), in.attr("ipv6_cidr_block")}}, "AWS-0105", checkov, "lets in")
		}
	}
}

func awsEKSEndpoint(a *analysis, r *resource) {
	vpc, _ := r.body().block("vpc_config")
	pub := vpc.attr("endpoint_public_access")
	if pub.present && !pub.isTrue() {
		return // false, or unknown: not guessed
	}
	cidrs := vpc.attr("public_access_cidrs")
	open := !cidrs.present // the default is ["0.0.0.0/0"]
	openLine := 0
	if cidrs.present {
		elems, _ := cidrs.list()
		for _, e := range elems {
			if s, ok := e.str(); ok && anywhere(s) {
				open, openLine = true, cidrs.line
			}
		}
	}
	if open {
		msg := fmt.Sprintf("%s exposes its Kubernetes API server to the whole internet (public_access_cidrs defaults to 0.0.0.0/0)", r.addr())
		if cidrs.present {
			msg = fmt.Sprintf("%s exposes its Kubernetes API server to the whole internet (public_access_cidrs holds 0.0.0.0/0)", r.addr())
		}
		fix := setFix(vpc, pub, "endpoint_public_access = false") + " Reach the API through the VPC (a VPN or a bastion), or at least set `public_access_cidrs` to your office or VPN ranges."
		if openLine > 0 {
			fix = changeFix(openLine, `public_access_cidrs = ["<your VPN range>"]`) + " Better: `endpoint_public_access = false` and reach the API through the VPC."
		}
		a.report(issue{slug: "aws-eks-endpoint-open", r: r, line: max(openLine, pub.line), block: vpc.line, detail: "public_access_cidrs", msg: msg, fix: fix})
	}
	line := pub.line
	if !pub.present {
		line = vpc.at()
	}
	a.report(issue{slug: "aws-eks-public-endpoint", r: r, line: line, block: vpc.line, detail: "endpoint_public_access",
		msg: fmt.Sprintf("%s has a public Kubernetes API endpoint (endpoint_public_access defaults to true)", r.addr()),
		fix: setFix(vpc, pub, "endpoint_public_access = false") + " and `endpoint_private_access = true`, then reach the API through the VPC."})
}

func awsPublicIP(a *analysis, r *resource) {
	b := r.body()
	switch r.typ {
	case "aws_subnet":
		a.boolSetting("aws-public-ip", b, "map_public_ip_on_launch", false, false, pick("aws-public-ip", "AWS-0164", "CKV_AWS_130"),
			"%s gives every instance launched in it a public IP address (map_public_ip_on_launch = true)")
	case "aws_launch_configuration":
		a.boolSetting("aws-public-ip", b, "associate_public_ip_address", false, false, pick("aws-public-ip", "AWS-0009"),
			"%s gives its instances public IP addresses (associate_public_ip_address = true)")
	case "aws_instance":
		a.boolSetting("aws-public-ip", b, "associate_public_ip_address", false, false, pick("aws-public-ip", "CKV_AWS_88"),
			"%s has a public IP address (associate_public_ip_address = true)")
	case "aws_launch_template":
		for _, ni := range b.blocks("network_interfaces") {
			a.boolSetting("aws-public-ip", ni, "associate_public_ip_address", false, false, pick("aws-public-ip", "CKV_AWS_88"),
				"%s gives its instances public IP addresses (associate_public_ip_address = true)")
		}
	}
}

func awsLBListener(a *analysis, r *resource) {
	b := r.body()
	proto, ok := b.attr("protocol").str()
	if !ok {
		return
	}
	if strings.EqualFold(proto, "HTTP") {
		for _, act := range b.blocks("default_action") {
			if t, ok := act.attr("type").str(); ok && t == "redirect" {
				return
			}
			if !act.attr("type").known() {
				return
			}
		}
		for _, d := range b.b.Blocks {
			if d.Type == "dynamic" {
				return // its actions are not known
			}
		}
		p := b.attr("protocol")
		a.report(issue{slug: "aws-lb-plain-http", r: r, line: p.line, detail: "protocol",
			msg: fmt.Sprintf("%s serves plain HTTP without redirecting to HTTPS", r.addr()),
			fix: changeFix(p.line, `protocol = "HTTPS"`) + " with `ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\"` and a `certificate_arn`, or make the HTTP listener's default_action a redirect to HTTPS."})
		return
	}
	pol := b.attr("ssl_policy")
	if s, ok := pol.str(); ok && outdatedELBPolicies[s] {
		a.report(issue{slug: "aws-lb-outdated-tls", r: r, line: pol.line, detail: "ssl_policy",
			msg: fmt.Sprintf("%s accepts outdated TLS versions or ciphers (ssl_policy %q)", r.addr(), s),
			fix: changeFix(pol.line, `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"`)})
	}
}

// outdatedELBPolicies are the load balancer security policies that allow
// TLS below 1.2 or weak ciphers.
var outdatedELBPolicies = map[string]bool{
	"ELBSecurityPolicy-2015-05": true, "ELBSecurityPolicy-2016-08": true, "ELBSecurityPolicy-FS-2018-06": true,
	"ELBSecurityPolicy-FS-1-1-2019-08": true, "ELBSecurityPolicy-TLS-1-0-2015-04": true, "ELBSecurityPolicy-TLS-1-1-2017-01": true,
	"ELBSecurityPolicy-TLS13-1-0-2021-06": true, "ELBSecurityPolicy-TLS13-1-1-2021-06": true,
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": true, "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": true,
}

func awsAPIGatewayDomain(a *analysis, r *resource) {
	b := r.body()
	pol := b.attr("security_policy")
	s, ok := pol.str()
	if !ok {
		return // the default is TLS_1_2
	}
	up := strings.ToUpper(s)
	if up == "TLS_1_2" || strings.HasPrefix(s, "SecurityPolicy_TLS13_") || (strings.HasPrefix(s, "SecurityPolicy_TLS12_") && strings.HasSuffix(s, "_EDGE")) {
		return
	}
	a.report(issue{slug: "aws-api-gateway-outdated-tls", r: r, line: pol.line, detail: "security_policy",
		msg: fmt.Sprintf("%s accepts TLS versions below 1.2 (security_policy %q)", r.addr(), s),
		fix: changeFix(pol.line, `security_policy = "TLS_1_2"`)})
}

func awsCloudFront(a *analysis, r *resource) {
	b := r.body()
	behaviours := append(b.blocks("default_cache_behavior"), b.blocks("ordered_cache_behavior")...)
	for _, cb := range behaviours {
		v := cb.attr("viewer_protocol_policy")
		if s, ok := v.str(); ok && s == "allow-all" {
			a.report(issue{slug: "aws-cloudfront-plain-http", r: r, line: v.line, block: cb.line, detail: cb.path + fmt.Sprint(cb.line),
				msg: fmt.Sprintf("%s serves viewers over plain HTTP (viewer_protocol_policy = \"allow-all\")", r.addr()),
				fix: changeFix(v.line, `viewer_protocol_policy = "redirect-to-https"`)})
		}
	}
	vc, ok := b.block("viewer_certificate")
	if ok && !vc.attr("cloudfront_default_certificate").isTrue() {
		v := vc.attr("minimum_protocol_version")
		s, known := v.str()
		if !v.present || known {
			switch s {
			case "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025":
			default:
				msg := fmt.Sprintf("%s accepts viewers on TLS versions or ciphers older than TLS 1.2 (2021) (minimum_protocol_version %q)", r.addr(), s)
				if !v.present {
					msg = fmt.Sprintf("%s accepts viewers on TLS 1.0 (minimum_protocol_version defaults to TLSv1)", r.addr())
				}
				a.report(issue{slug: "aws-cloudfront-outdated-tls", r: r, line: v.line, block: vc.line, detail: "minimum_protocol_version",
					msg: msg, fix: setFix(vc, v, `minimum_protocol_version = "TLSv1.2_2021"`)})
			}
		}
	}
	waf := b.attr("web_acl_id")
	if waf.absentOrEmpty() {
		a.report(issue{slug: "aws-cloudfront-no-waf", r: r, line: waf.line, detail: "web_acl_id",
			msg: fmt.Sprintf("%s has no WAF web ACL in front of it", r.addr()),
			fix: setFix(b, waf, "web_acl_id = aws_wafv2_web_acl.<name>.arn") + " (a WAFv2 web ACL with scope = \"CLOUDFRONT\" and AWS managed rule groups)."})
	}
}

// awsWAFAssociated reports whether a WAF association in the module names r.
func awsWAFAssociated(r *resource) bool {
	for _, typ := range []string{"aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"} {
		if len(r.linkedFrom(typ, "resource_arn", "arn")) > 0 {
			return true
		}
	}
	return false
}

func awsALBWAF(a *analysis, r *resource) {
	b := r.body()
	if t, ok := b.attr("load_balancer_type").str(); ok && t != "application" || !ok && b.attr("load_balancer_type").present {
		return
	}
	if internal := b.attr("internal"); internal.isTrue() || internal.present && !internal.known() {
		return
	}
	if awsWAFAssociated(r) {
		return
	}
	a.report(issue{slug: "aws-alb-no-waf", r: r, detail: "waf",
		msg: fmt.Sprintf("%s is an internet-facing application load balancer with no WAF web ACL associated in this module", r.addr()),
		fix: fmt.Sprintf("Associate a WAFv2 web ACL:\nresource \"aws_wafv2_web_acl_association\" %s {\n  resource_arn = %s.arn\n  web_acl_arn  = aws_wafv2_web_acl.<name>.arn\n}", quote(r.name), r.addr())})
}

func awsAPIGatewayWAF(a *analysis, r *resource) {
	if awsWAFAssociated(r) {
		return
	}
	if waf := r.body().attr("web_acl_arn"); waf.present && !waf.empty() {
		return
	}
	a.report(issue{slug: "aws-api-gateway-no-waf", r: r, detail: "waf",
		msg: fmt.Sprintf("%s is an API Gateway stage with no WAF web ACL associated in this module", r.addr()),
		fix: fmt.Sprintf("Associate a WAFv2 web ACL:\nresource \"aws_wafv2_web_acl_association\" %s {\n  resource_arn = %s.arn\n  web_acl_arn  = aws_wafv2_web_acl.<name>.arn\n}", quote(r.name), r.addr())})
}

func awsCloudTrail(a *analysis, r *resource) {
	b := r.body()
	a.boolSetting("aws-cloudtrail-single-region", b, "is_multi_region_trail", true, true, nil,
		"%s records only its own region: activity in the other regions leaves no trail (is_multi_region_trail is not true)")
	a.boolSetting("aws-cloudtrail-no-log-validation", b, "enable_log_file_validation", true, true, nil,
		"%s does not validate its log files: an attacker can edit or delete them unnoticed (enable_log_file_validation is not true)")
}

// awsPolicies checks the policy documents of IAM policies and of resource
// policies for wildcards.
func awsPolicies(a *analysis, r *resource) {
	b := r.body()
	var stmts []statement
	identity := true
	switch r.typ {
	case "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy":
		s, ok := policyStatements(b.attr("policy"))
		if !ok {
			return
		}
		stmts = s
	case "aws_iam_role":
		for _, ip := range b.blocks("inline_policy") {
			if s, ok := policyStatements(ip.attr("policy")); ok {
				stmts = append(stmts, s...)
			}
		}
	case "aws_sqs_queue_policy", "aws_sqs_queue":
		s, ok := policyStatements(b.attr("policy"))
		if !ok {
			return
		}
		stmts, identity = s, false
	case "aws_iam_policy_document":
		stmts = documentStatements(b)
	}
	data := r.data
	for i, s := range stmts {
		if !s.allow() {
			continue
		}
		allResources := false
		for _, res := range s.resources {
			if res == "*" {
				allResources = true
			}
		}
		for _, act := range s.actions {
			if wildcard(act) && allResources && identity {
				refs := pick("aws-iam-admin-policy", "CKV_AWS_62")
				if data {
					refs = pick("aws-iam-admin-policy", "CKV_AWS_1")
				}
				a.report(issue{slug: "aws-iam-admin-policy", r: r, line: s.line, detail: fmt.Sprintf("stmt%d", i),
					msg:  fmt.Sprintf("%s allows every action on every resource (\"*\" on \"*\"): whoever holds it is an administrator", r.addr()),
					fix:  "List the actions and resources the workload needs (e.g. \"s3:GetObject\" on \"arn:aws:s3:::bucket/*\"); use AWS managed job-function policies or IAM Access Analyzer's policy generation to find them.",
					refs: refs})
				break
			}
			svc, isSvc := serviceWildcard(act)
			if !(isSvc || wildcard(act)) || denied(stmts, act) {
				continue
			}
			var keep []string
			switch {
			case !identity:
				keep = []string{"AWS-0097", "CKV_AWS_72"}
			case data:
				keep = []string{"CKV_AWS_49"}
			default:
				keep = []string{"CKV_AWS_63"}
			}
			if svc == "s3" && identity {
				keep = append(keep, "AWS-0345")
			}
			if !identity && !(wildcard(act) || svc == "sqs") {
				continue
			}
			a.report(issue{slug: "aws-iam-wildcard-action", r: r, line: s.line, detail: fmt.Sprintf("stmt%d:%s", i, act),
				msg:  fmt.Sprintf("%s allows %q: every action of the service, including deleting and changing permissions", r.addr(), act),
				fix:  fmt.Sprintf("Replace %q with the actions the workload needs (e.g. \"s3:GetObject\", \"s3:PutObject\").", act),
				refs: pick("aws-iam-wildcard-action", keep...)})
			break
		}
	}
}
