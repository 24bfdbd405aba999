package terraform

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// Azure rules (the azurerm provider).

func azureManagedDisk(a *analysis, r *resource) {
	// Managed disks are encrypted with platform keys unless told
	// otherwise; only a written `enabled = false` turns encryption off.
	es, _ := r.body().block("encryption_settings")
	a.boolSetting("azure-managed-disk-unencrypted", es, "enabled", true, false, nil,
		"%s turns disk encryption off (encryption_settings.enabled = false)")
}

func azureDataLake(a *analysis, r *resource) {
	v := r.body().attr("encryption_state")
	if s, ok := v.str(); ok && strings.EqualFold(s, "Disabled") {
		a.report(issue{slug: "azure-data-lake-unencrypted", r: r, line: v.line, detail: "encryption_state",
			msg: fmt.Sprintf("%s stores its data unencrypted (encryption_state = \"Disabled\")", r.addr()),
			fix: changeFix(v.line, `encryption_state = "Enabled"`)})
	}
}

func azureStorageAccount(a *analysis, r *resource) {
	b := r.body()
	a.boolSetting("azure-storage-no-infrastructure-encryption", b, "infrastructure_encryption_enabled", true, true, nil,
		"%s encrypts its data once, with one key, not twice at the infrastructure level as well (infrastructure_encryption_enabled is not true)")
	if _, ok := b.block("customer_managed_key"); !ok && len(r.linkedFrom("azurerm_storage_account_customer_managed_key", "storage_account_id", "id")) == 0 {
		a.report(issue{slug: "azure-storage-no-customer-key", r: r, detail: "customer_managed_key",
			msg: fmt.Sprintf("%s is encrypted with Microsoft-managed keys, not a key you control in Key Vault", r.addr()),
			fix: addFix(b, "customer_managed_key { key_vault_key_id = azurerm_key_vault_key.<name>.id  user_assigned_identity_id = azurerm_user_assigned_identity.<name>.id }")})
	}
	for _, attr := range []string{"enable_https_traffic_only", "https_traffic_only_enabled"} {
		refs := pick("azure-storage-plain-http", "AZU-0059", "CKV_AZURE_3")
		if attr == "enable_https_traffic_only" {
			refs = pick("azure-storage-plain-http", "AZU-0008", "AZU-0059", "CKV_AZURE_3")
		}
		a.boolSetting("azure-storage-plain-http", b, attr, true, false, refs,
			"%s accepts plain HTTP ("+attr+" = false)")
	}
	tls := b.attr("min_tls_version")
	if s, ok := tls.str(); ok && (s == "TLS1_0" || s == "TLS1_1") {
		a.report(issue{slug: "azure-storage-outdated-tls", r: r, line: tls.line, detail: "min_tls_version",
			msg: fmt.Sprintf("%s accepts TLS %s", r.addr(), strings.ReplaceAll(strings.TrimPrefix(s, "TLS"), "_", ".")),
			fix: changeFix(tls.line, `min_tls_version = "TLS1_2"`)})
	}
}

// azureDatabaseServers are the single-server database resources, whose
// settings share names.
var azureDatabaseServers = []string{"azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"}

func azureDatabaseServer(a *analysis, r *resource) {
	b := r.body()
	checkovPublic := map[string]string{"azurerm_postgresql_server": "CKV_AZURE_68", "azurerm_mysql_server": "CKV_AZURE_53", "azurerm_mariadb_server": "CKV_AZURE_48", "azurerm_mssql_server": "CKV_AZURE_113"}[r.typ]
	a.boolSetting("azure-database-public", b, "public_network_access_enabled", false, false, pick("azure-database-public", "AZU-0022", checkovPublic),
		"%s accepts connections from public networks (public_network_access_enabled = true); its firewall rules are all that stands in the way")
	if r.typ == "azurerm_mssql_server" {
		v := b.attr("minimum_tls_version")
		if s, ok := v.str(); ok && (s == "1.0" || s == "1.1" || strings.EqualFold(s, "Disabled")) {
			a.report(issue{slug: "azure-database-outdated-tls", r: r, line: v.line, detail: "minimum_tls_version",
				msg: fmt.Sprintf("%s accepts connections on TLS older than 1.2 (minimum_tls_version = %q)", r.addr(), s),
				fix: changeFix(v.line, `minimum_tls_version = "1.2"`), refs: pick("azure-database-outdated-tls", "AZU-0026", "CKV_AZURE_52")})
		}
		return
	}
	checkovSSL := map[string]string{"azurerm_postgresql_server": "CKV_AZURE_29", "azurerm_mysql_server": "CKV_AZURE_28", "azurerm_mariadb_server": "CKV_AZURE_47"}[r.typ]
	a.boolSetting("azure-database-ssl-off", b, "ssl_enforcement_enabled", true, false, pick("azure-database-ssl-off", "AZU-0020", checkovSSL),
		"%s accepts unencrypted connections (ssl_enforcement_enabled = false)")
	v := b.attr("ssl_minimal_tls_version_enforced")
	if s, ok := v.str(); ok && (s == "TLS1_0" || s == "TLS1_1" || s == "TLSEnforcementDisabled") {
		checkovTLS := map[string]string{"azurerm_postgresql_server": "CKV_AZURE_147", "azurerm_mysql_server": "CKV_AZURE_54"}[r.typ]
		a.report(issue{slug: "azure-database-outdated-tls", r: r, line: v.line, detail: "ssl_minimal_tls_version_enforced",
			msg: fmt.Sprintf("%s accepts connections on TLS older than 1.2 (ssl_minimal_tls_version_enforced = %q)", r.addr(), s),
			fix: changeFix(v.line, `ssl_minimal_tls_version_enforced = "TLS1_2"`), refs: pick("azure-database-outdated-tls", "AZU-0026", checkovTLS)})
	}
	tdp, ok := b.block("threat_detection_policy")
	if ok {
		checkovTD := map[string]string{"azurerm_postgresql_server": "CKV_AZURE_128", "azurerm_mysql_server": "CKV_AZURE_127"}[r.typ]
		a.boolSetting("azure-database-threat-detection-off", tdp, "enabled", true, false, pick("azure-database-threat-detection-off", checkovTD),
			"%s has threat detection switched off: SQL injection, brute force and unusual access raise no alert")
	}
}

func azureDatabaseFirewall(a *analysis, r *resource) {
	b := r.body()
	start, end := b.attr("start_ip_address"), b.attr("end_ip_address")
	s, ok1 := start.str()
	e, ok2 := end.str()
	if !ok1 || !ok2 || s == e {
		return // 0.0.0.0 to 0.0.0.0 lets Azure's own services in, nothing else
	}
	sa, err1 := netip.ParseAddr(s)
	ea, err2 := netip.ParseAddr(e)
	if err1 != nil || err2 != nil || !(publicIP(s) || publicIP(e)) {
		return
	}
	// A range wider than a /8 is "the internet" for a database.
	span := new(big.Int).Sub(new(big.Int).SetBytes(ea.AsSlice()), new(big.Int).SetBytes(sa.AsSlice()))
	if span.Cmp(big.NewInt(1<<24)) < 0 {
		return
	}
	a.report(issue{slug: "azure-database-firewall-open", r: r, line: start.line, detail: "range",
		msg: fmt.Sprintf("%s lets %s to %s reach the database: much of the internet", r.addr(), s, e),
		fix: fmt.Sprintf("On lines %d-%d allow only your application's addresses, or close public access and use a private endpoint.", start.line, end.line)})
}

// azureNSGRule is one security rule of a network security group.
func (a *analysis) azureNSGRule(b body) {
	dir, ok1 := b.attr("direction").str()
	acc, ok2 := b.attr("access").str()
	if !ok1 || !ok2 || !strings.EqualFold(dir, "Inbound") || !strings.EqualFold(acc, "Allow") {
		return
	}
	proto, ok := b.attr("protocol").str()
	if !ok {
		return
	}
	if p := strings.ToLower(proto); p != "tcp" && p != "*" {
		return
	}
	var ranges []portRange
	for _, attr := range []string{"destination_port_range", "destination_port_ranges"} {
		v := b.attr(attr)
		if _, known := v.list(); !known {
			return
		}
		for _, s := range v.strs() {
			if pr, ok := parsePorts(s); ok {
				ranges = append(ranges, pr)
			}
		}
	}
	open := exposedPorts(ranges)
	if len(open) == 0 {
		return
	}
	for _, attr := range []string{"source_address_prefix", "source_address_prefixes"} {
		v := b.attr(attr)
		for _, s := range v.strs() {
			if !anywhere(s) {
				continue
			}
			var keep []string
			if open.has(22) {
				keep = append(keep, "AZU-0050", "CKV_AZURE_10")
			}
			if open.has(3389) {
				keep = append(keep, "AZU-0048", "CKV_AZURE_9")
			}
			for _, p := range []int{20, 21, 23, 135, 139, 1433, 1521, 3306, 5432, 6379} {
				if open.has(p) {
					keep = append(keep, "AZU-0074")
					break
				}
			}
			a.report(issue{slug: "azure-nsg-open-admin-port", r: b.r, line: v.line, block: b.line, detail: fmt.Sprintf("%s:%d:%s", b.path, b.line, s),
				msg:  fmt.Sprintf("%s lets %s in from anywhere (%s = %q)", b.r.addr(), open.names(), attr, s),
				fix:  fmt.Sprintf("On line %d, allow only your network or a jump host (e.g. \"10.0.0.0/16\"); for administration prefer Azure Bastion or just-in-time VM access.", v.line),
				refs: pick("azure-nsg-open-admin-port", keep...)})
			return
		}
	}
}

func azureNSG(a *analysis, r *resource) {
	b := r.body()
	if r.typ == "azurerm_network_security_rule" {
		a.azureNSGRule(b)
		return
	}
	for _, sr := range b.blocks("security_rule") {
		a.azureNSGRule(sr)
	}
}

func azureAKS(a *analysis, r *resource) {
	b := r.body()
	private := b.attr("private_cluster_enabled")
	if !private.present || private.isFalse() {
		a.report(issue{slug: "azure-aks-not-private", r: r, line: private.line, detail: "private_cluster_enabled",
			msg: fmt.Sprintf("%s has a public Kubernetes API server (private_cluster_enabled is not true)", r.addr()),
			fix: setFix(b, private, "private_cluster_enabled = true")})
	}
	if private.isTrue() || private.present && !private.known() {
		return
	}
	profile, _ := b.block("api_server_access_profile")
	ranges := profile.attr("authorized_ip_ranges")
	if !ranges.present {
		ranges = b.attr("api_server_authorized_ip_ranges")
	}
	elems, known := ranges.list()
	if !known {
		return
	}
	open := len(elems) == 0
	for _, s := range ranges.strs() {
		if anywhere(s) {
			open = true
		}
	}
	if open {
		line := ranges.line
		a.report(issue{slug: "azure-aks-api-open", r: r, line: line, block: profile.line, detail: "authorized_ip_ranges",
			msg: fmt.Sprintf("%s lets the whole internet reach its Kubernetes API server (no authorized IP ranges)", r.addr()),
			fix: setFix(profile, ranges, `authorized_ip_ranges = ["<your VPN range>"]`) + " Better: `private_cluster_enabled = true`."})
	}
}

func azureAKSNodePublicIP(a *analysis, r *resource) {
	b := r.body()
	pools := []body{b}
	if r.typ == "azurerm_kubernetes_cluster" {
		pools = b.blocks("default_node_pool")
	}
	for _, p := range pools {
		for _, attr := range []string{"node_public_ip_enabled", "enable_node_public_ip"} {
			a.boolSetting("azure-aks-node-public-ip", p, attr, false, false, nil,
				"%s gives its nodes public IP addresses ("+attr+" = true)")
		}
	}
}

func azureAppService(a *analysis, r *resource) {
	b := r.body()
	function := strings.Contains(r.typ, "function_app")
	refs := pick("azure-app-service-plain-http", "AZU-0072", "CKV_AZURE_14")
	if function {
		refs = pick("azure-app-service-plain-http", "AZU-0004", "CKV_AZURE_70")
	}
	a.boolSetting("azure-app-service-plain-http", b, "https_only", true, true, refs,
		"%s serves plain HTTP as well as HTTPS (https_only is not true)")
	for _, sc := range b.blocks("site_config") {
		for _, attr := range []string{"min_tls_version", "minimum_tls_version"} {
			v := sc.attr(attr)
			if s, ok := v.str(); ok && (s == "1.0" || s == "1.1") {
				refs := pick("azure-app-service-outdated-tls", "AZU-0006", "CKV_AZURE_15")
				if function {
					refs = pick("azure-app-service-outdated-tls", "CKV_AZURE_145")
				}
				a.report(issue{slug: "azure-app-service-outdated-tls", r: r, line: v.line, block: sc.line, detail: attr,
					msg: fmt.Sprintf("%s accepts TLS %s", r.addr(), s), fix: changeFix(v.line, attr+` = "1.2"`), refs: refs})
			}
		}
	}
}

func azureAppGatewayWAF(a *analysis, r *resource) {
	b := r.body()
	if fp := b.attr("firewall_policy_id"); fp.present && !fp.empty() {
		return
	}
	sku, _ := b.block("sku")
	tier := sku.attr("tier")
	t, ok := tier.str()
	if !ok {
		return
	}
	if strings.HasPrefix(strings.ToUpper(t), "WAF") {
		if wc, ok := b.block("waf_configuration"); ok {
			a.boolSetting("azure-app-gateway-no-waf", wc, "enabled", true, false, nil,
				"%s has its web application firewall switched off (waf_configuration.enabled = false)")
		}
		return
	}
	a.report(issue{slug: "azure-app-gateway-no-waf", r: r, line: tier.line, block: sku.line, detail: "sku",
		msg: fmt.Sprintf("%s has no web application firewall (sku tier %q)", r.addr(), t),
		fix: changeFix(tier.line, `tier = "WAF_v2"`) + " (and `name = \"WAF_v2\"`), with `firewall_policy_id = azurerm_web_application_firewall_policy.<name>.id`."})
}

func azureLogProfile(a *analysis, r *resource) {
	v := r.body().attr("categories")
	if _, known := v.list(); !known {
		return
	}
	have := map[string]bool{}
	for _, c := range v.strs() {
		have[strings.ToLower(c)] = true
	}
	var missing []string
	for _, want := range []string{"Action", "Delete", "Write"} {
		if !have[strings.ToLower(want)] {
			missing = append(missing, want)
		}
	}
	if len(missing) == 0 {
		return
	}
	a.report(issue{slug: "azure-log-profile-incomplete", r: r, line: v.line, detail: "categories",
		msg: fmt.Sprintf("%s does not record the %s categories of the activity log", r.addr(), strings.Join(missing, ", ")),
		fix: setFix(r.body(), v, `categories = ["Action", "Delete", "Write"]`)})
}

func azureRoleDefinition(a *analysis, r *resource) {
	b := r.body()
	scopes := b.attr("assignable_scopes")
	wide := false
	for _, s := range scopes.strs() {
		if s == "/" || isSubscriptionScope(s) {
			wide = true
		}
	}
	if !wide {
		return
	}
	for _, p := range b.blocks("permissions") {
		acts := p.attr("actions")
		for _, act := range acts.strs() {
			if act == "*" {
				a.report(issue{slug: "azure-role-wildcard", r: r, line: acts.line, block: p.line, detail: "actions",
					msg: fmt.Sprintf("%s allows every action (\"*\") at a subscription-wide or broader scope: an owner role by another name", r.addr()),
					fix: fmt.Sprintf("On line %d list the actions the role needs (e.g. \"Microsoft.Storage/storageAccounts/read\"), or use a built-in role.", acts.line)})
				return
			}
		}
	}
}

// isSubscriptionScope reports "/subscriptions/<id>" with nothing below it.
func isSubscriptionScope(s string) bool {
	rest, ok := strings.CutPrefix(strings.TrimSuffix(s, "/"), "/subscriptions/")
	return ok && rest != "" && !strings.Contains(rest, "/")
}

func azureStorageContainer(a *analysis, r *resource) {
	v := r.body().attr("container_access_type")
	if s, ok := v.str(); ok && (s == "blob" || s == "container") {
		a.report(issue{slug: "azure-storage-container-public", r: r, line: v.line, detail: "container_access_type",
			msg: fmt.Sprintf("%s lets anyone on the internet read its blobs anonymously (container_access_type = %q)", r.addr(), s),
			fix: changeFix(v.line, `container_access_type = "private"`)})
	}
}

func azureSQLAlertPolicy(a *analysis, r *resource) {
	if r.typ != "azurerm_mssql_server_security_alert_policy" {
		return // the servers' threat_detection_policy: see azureDatabaseServer
	}
	b := r.body()
	state := b.attr("state")
	if s, ok := state.str(); ok && strings.EqualFold(s, "Disabled") {
		a.report(issue{slug: "azure-database-threat-detection-off", r: r, line: state.line, detail: "state",
			msg: fmt.Sprintf("%s switches SQL threat detection off: SQL injection, brute force and unusual access raise no alert", r.addr()),
			fix: changeFix(state.line, `state = "Enabled"`), refs: pick("azure-database-threat-detection-off")})
		return
	}
	v := b.attr("disabled_alerts")
	if alerts := v.strs(); len(alerts) > 0 {
		a.report(issue{slug: "azure-database-threat-detection-off", r: r, line: v.line, detail: "disabled_alerts",
			msg: fmt.Sprintf("%s switches off threat detection alerts: %s", r.addr(), strings.Join(alerts, ", ")),
			fix: changeFix(v.line, "disabled_alerts = []")})
	}
}

func azureDefenderPricing(a *analysis, r *resource) {
	v := r.body().attr("tier")
	if s, ok := v.str(); ok && strings.EqualFold(s, "Free") {
		what, _ := r.body().attr("resource_type").str()
		if what == "" {
			what = "VirtualMachines"
		}
		a.report(issue{slug: "azure-defender-off", r: r, line: v.line, detail: "tier",
			msg: fmt.Sprintf("%s leaves Microsoft Defender for %s off (tier = \"Free\"): no threat detection for those resources", r.addr(), what),
			fix: changeFix(v.line, `tier = "Standard"`)})
	}
}
