package terraform

import (
	"sync"

	"github.com/secfirst-dev/secfirst/checks"
)

// The rule catalog. Slugs are stable: they are rule ids in findings,
// suppressions and policies. Refs name the equivalent Trivy checks (from
// aquasecurity/trivy-checks, checks/cloud) and Checkov checks (from
// bridgecrewio/checkov, checkov/terraform/checks).
//
// Severities: what hands data or control to the internet (public
// databases, buckets and admin ports, unencrypted data stores, plain HTTP,
// admin policies, plaintext keys) is high, so the hook blocks it by
// default; exposure that still has a gate (a public cluster endpoint, a
// missing WAF, audit gaps) is medium; customer-managed keys and defence in
// depth are low.
//
// The catalog is built on first use, not at start-up: a secfirst process
// that checks no Terraform (most hooks) does not pay for it.
var catalogState struct {
	once   sync.Once
	rules  []rule
	bySlug map[string]*rule
	byType map[string][]*rule
}

// catalog is built once, on first use (a function rather than a
// sync.OnceValue variable: the rules' functions refer back to it).
func catalog() []rule {
	catalogState.once.Do(func() {
		c := buildCatalog()
		bySlug := make(map[string]*rule, len(c))
		byType := map[string][]*rule{}
		for i := range c {
			bySlug[c[i].slug] = &c[i]
			if c[i].check == nil {
				continue // reported by a sibling rule's check; resources documents what it reads
			}
			for _, t := range c[i].resources {
				byType[t] = append(byType[t], &c[i])
			}
		}
		catalogState.rules, catalogState.bySlug, catalogState.byType = c, bySlug, byType
	})
	return catalogState.rules
}

// catalogBySlug indexes the catalog by slug.
func catalogBySlug() map[string]*rule {
	catalog()
	return catalogState.bySlug
}

// rulesByType are the rules that read each resource type ("data.x" for a
// data source), in catalog order.
func rulesByType() map[string][]*rule {
	catalog()
	return catalogState.byType
}

func buildCatalog() []rule {
	const (
		high   = checks.High
		medium = checks.Medium
		low    = checks.Low
	)
	return []rule{
		// Encryption at rest.
		{"aws-rds-unencrypted", "RDS database stored unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0080"), trivy("AWS-0079"), ids("CKV_AWS_16", "CKV_AWS_96")), types("aws_db_instance", "aws_rds_cluster"), awsRDSEncryption},
		{"aws-rds-no-customer-key", "RDS database not encrypted with a customer-managed key", low, PracticeEncryptionAtRest,
			trivy("AWS-0079"), types("aws_rds_cluster", "aws_db_instance"), nil},
		{"aws-ebs-unencrypted", "EBS volume unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0026"), trivy("AWS-0131"), trivy("AWS-0008"), ids("CKV_AWS_3", "CKV_AWS_8")),
			types("aws_ebs_volume", "aws_instance", "aws_launch_configuration", "aws_launch_template"), awsEBSEncryption},
		{"aws-efs-unencrypted", "EFS file system unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0037"), ids("CKV_AWS_42")), types("aws_efs_file_system"),
			awsStorageEncryption("aws-efs-unencrypted", "encrypted", "AWS-0037", "CKV_AWS_42", "encrypted is not true", true)},
		{"aws-docdb-unencrypted", "DocumentDB cluster unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0021"), ids("CKV_AWS_74")), types("aws_docdb_cluster"),
			awsStorageEncryption("aws-docdb-unencrypted", "storage_encrypted", "AWS-0021", "CKV_AWS_74", "storage_encrypted is not true", true)},
		{"aws-neptune-unencrypted", "Neptune cluster unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0076"), ids("CKV_AWS_44")), types("aws_neptune_cluster"),
			awsStorageEncryption("aws-neptune-unencrypted", "storage_encrypted", "AWS-0076", "CKV_AWS_44", "storage_encrypted is not true", true)},
		{"aws-redshift-unencrypted", "Redshift cluster unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0084"), ids("CKV_AWS_64")), types("aws_redshift_cluster"), awsRedshiftEncryption},
		{"aws-elasticache-unencrypted", "ElastiCache replication group unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0045"), ids("CKV_AWS_29")), types("aws_elasticache_replication_group"),
			awsStorageEncryption("aws-elasticache-unencrypted", "at_rest_encryption_enabled", "AWS-0045", "CKV_AWS_29", "at_rest_encryption_enabled is not true", true)},
		{"aws-elasticsearch-unencrypted", "Elasticsearch / OpenSearch domain unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0048"), ids("CKV_AWS_5")), types("aws_elasticsearch_domain", "aws_opensearch_domain"), awsElasticsearch},
		{"aws-dax-unencrypted", "DAX cluster unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AWS-0023"), ids("CKV_AWS_47")), types("aws_dax_cluster"), awsDAXEncryption},
		{"aws-eks-secrets-unencrypted", "EKS secrets not encrypted with a KMS key", medium, PracticeEncryptionAtRest,
			refs(trivy("AWS-0039"), ids("CKV_AWS_58")), types("aws_eks_cluster"), awsEKSSecrets},
		{"aws-s3-no-customer-key", "S3 bucket not encrypted with a customer-managed key", low, PracticeEncryptionAtRest,
			refs(trivy("AWS-0132"), ids("CKV_AWS_145")), types("aws_s3_bucket"), awsS3CustomerKey},
		{"azure-managed-disk-unencrypted", "Managed disk encryption switched off", high, PracticeEncryptionAtRest,
			refs(trivy("AZU-0038"), ids("CKV_AZURE_2")), types("azurerm_managed_disk"), azureManagedDisk},
		{"azure-data-lake-unencrypted", "Data Lake Store unencrypted", high, PracticeEncryptionAtRest,
			refs(trivy("AZU-0036"), ids("CKV_AZURE_105")), types("azurerm_data_lake_store"), azureDataLake},
		{"azure-storage-no-infrastructure-encryption", "Storage account without infrastructure (double) encryption", low, PracticeEncryptionAtRest,
			trivy("AZU-0061"), types("azurerm_storage_account"), azureStorageAccount},
		{"azure-storage-no-customer-key", "Storage account not encrypted with a customer-managed key", low, PracticeEncryptionAtRest,
			refs(trivy("AZU-0060"), ids("CKV2_AZURE_1")), types("azurerm_storage_account"), nil},
		{"gcp-disk-plaintext-key", "Disk encryption key written in plain text", high, PracticeEncryptionAtRest,
			trivy("GCP-0037"), types("google_compute_disk", "google_compute_instance"), gcpPlaintextDiskKey},
		{"gcp-disk-no-customer-key", "Disk not encrypted with a customer-managed key", low, PracticeEncryptionAtRest,
			trivy("GCP-0034"), types("google_compute_disk"), gcpDiskCustomerKey},
		{"gcp-bucket-no-customer-key", "Cloud Storage bucket not encrypted with a customer-managed key", low, PracticeEncryptionAtRest,
			trivy("GCP-0066"), types("google_storage_bucket"), gcpBucket},

		// Databases reachable from the internet.
		{"aws-rds-public", "RDS database publicly accessible", high, PracticePublicDatabase,
			refs(trivy("AWS-0180"), ids("CKV_AWS_17")), types("aws_db_instance", "aws_rds_cluster_instance"), awsRDSPublic},
		{"azure-database-public", "Database server open to public networks", medium, PracticePublicDatabase,
			refs(trivy("AZU-0022"), ids("CKV_AZURE_68", "CKV_AZURE_53", "CKV_AZURE_48", "CKV_AZURE_113")),
			types(append(append([]string(nil), azureDatabaseServers...), "azurerm_mssql_server")...), azureDatabaseServer},
		{"azure-database-firewall-open", "Database firewall rule open to the internet", high, PracticePublicDatabase,
			refs(trivy("AZU-0029"), ids("CKV_AZURE_11")),
			types("azurerm_sql_firewall_rule", "azurerm_mssql_firewall_rule", "azurerm_postgresql_firewall_rule", "azurerm_mysql_firewall_rule",
				"azurerm_mariadb_firewall_rule", "azurerm_postgresql_flexible_server_firewall_rule", "azurerm_mysql_flexible_server_firewall_rule"), azureDatabaseFirewall},
		{"gcp-sql-open", "Cloud SQL instance open to the internet", high, PracticePublicDatabase,
			refs(trivy("GCP-0017"), ids("CKV_GCP_11")), types("google_sql_database_instance"), gcpSQL},

		// Database threat detection.
		{"azure-database-threat-detection-off", "Database threat detection switched off", medium, PracticeThreatDetection,
			refs(trivy("AZU-0028"), ids("CKV_AZURE_25", "CKV_AZURE_127", "CKV_AZURE_128")),
			types("azurerm_mssql_server_security_alert_policy", "azurerm_postgresql_server", "azurerm_mysql_server"), azureSQLAlertPolicy},
		{"azure-defender-off", "Microsoft Defender plan on the free tier", medium, PracticeThreatDetection,
			refs(trivy("AZU-0045"), ids("CKV_AZURE_19")), types("azurerm_security_center_subscription_pricing"), azureDefenderPricing},

		// Admin ports open to the internet.
		{"aws-security-group-open-admin-port", "Security group opens an admin or database port to the internet", high, PracticeAdminPorts,
			refs(trivy("AWS-0107"), ids("CKV_AWS_24", "CKV_AWS_25")),
			types("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"), awsSecurityGroup},
		{"aws-nacl-open-admin-port", "Network ACL lets an admin or database port in from the internet", medium, PracticeAdminPorts,
			refs(trivy("AWS-0105"), ids("CKV_AWS_232", "CKV_AWS_231")), types("aws_network_acl", "aws_network_acl_rule"), awsNetworkACL},
		{"azure-nsg-open-admin-port", "Network security group opens an admin or database port to the internet", high, PracticeAdminPorts,
			refs(trivy("AZU-0050"), trivy("AZU-0048"), trivy("AZU-0074"), ids("CKV_AZURE_10", "CKV_AZURE_9")),
			types("azurerm_network_security_rule", "azurerm_network_security_group"), azureNSG},
		{"gcp-firewall-open-admin-port", "Firewall rule opens an admin or database port to the internet", high, PracticeAdminPorts,
			refs(trivy("GCP-0071"), trivy("GCP-0070"), ids("CKV_GCP_2", "CKV_GCP_3")), types("google_compute_firewall"), gcpFirewall},

		// Private clusters and nodes.
		{"aws-eks-public-endpoint", "EKS API endpoint is public", medium, PracticePrivateClusters,
			refs(trivy("AWS-0040"), ids("CKV_AWS_39")), types("aws_eks_cluster"), awsEKSEndpoint},
		{"aws-eks-endpoint-open", "EKS API endpoint open to the whole internet", high, PracticePrivateClusters,
			refs(trivy("AWS-0041"), ids("CKV_AWS_38")), types("aws_eks_cluster"), nil},
		{"aws-public-ip", "Instances get public IP addresses", medium, PracticePrivateClusters,
			refs(trivy("AWS-0164"), trivy("AWS-0009"), ids("CKV_AWS_130", "CKV_AWS_88")),
			types("aws_subnet", "aws_launch_configuration", "aws_instance", "aws_launch_template"), awsPublicIP},
		{"azure-aks-not-private", "AKS API server is public", medium, PracticePrivateClusters,
			refs(trivy("AZU-0065"), ids("CKV_AZURE_115")), types("azurerm_kubernetes_cluster"), azureAKS},
		{"azure-aks-api-open", "AKS API server open to the whole internet", high, PracticePrivateClusters,
			refs(trivy("AZU-0041"), ids("CKV_AZURE_6")), types("azurerm_kubernetes_cluster"), nil},
		{"azure-aks-node-public-ip", "AKS nodes get public IP addresses", medium, PracticePrivateClusters,
			ids("CKV_AZURE_143"), types("azurerm_kubernetes_cluster", "azurerm_kubernetes_cluster_node_pool"), azureAKSNodePublicIP},
		{"gcp-gke-public-nodes", "GKE nodes get public IP addresses", medium, PracticePrivateClusters,
			refs(trivy("GCP-0059"), ids("CKV_GCP_25", "CKV_GCP_64")), types("google_container_cluster"), gcpGKE},
		{"gcp-gke-control-plane-open", "GKE control plane open to the whole internet", high, PracticePrivateClusters,
			refs(trivy("GCP-0061"), trivy("GCP-0053"), ids("CKV_GCP_20")), types("google_container_cluster"), nil},
		{"gcp-instance-public-ip", "Compute instance has a public IP address", medium, PracticePrivateClusters,
			refs(trivy("GCP-0031"), ids("CKV_GCP_40")), types("google_compute_instance", "google_compute_instance_template"), gcpInstancePublicIP},

		// TLS on entry points.
		{"aws-lb-plain-http", "Load balancer listener serves plain HTTP", high, PracticeTLS,
			refs(trivy("AWS-0054"), ids("CKV_AWS_2")), types("aws_lb_listener", "aws_alb_listener"), awsLBListener},
		{"aws-lb-outdated-tls", "Load balancer listener allows outdated TLS", high, PracticeTLS,
			refs(trivy("AWS-0047"), ids("CKV_AWS_103")), types("aws_lb_listener", "aws_alb_listener"), nil},
		{"aws-api-gateway-outdated-tls", "API Gateway domain allows outdated TLS", high, PracticeTLS,
			refs(trivy("AWS-0005"), ids("CKV_AWS_206")), types("aws_api_gateway_domain_name"), awsAPIGatewayDomain},
		{"aws-cloudfront-plain-http", "CloudFront serves plain HTTP", high, PracticeTLS,
			refs(trivy("AWS-0012"), ids("CKV_AWS_34")), types("aws_cloudfront_distribution"), awsCloudFront},
		{"aws-cloudfront-outdated-tls", "CloudFront allows outdated TLS", high, PracticeTLS,
			refs(trivy("AWS-0013"), ids("CKV_AWS_174")), types("aws_cloudfront_distribution"), nil},
		{"aws-elasticsearch-plain-http", "Elasticsearch / OpenSearch domain accepts plain HTTP", high, PracticeTLS,
			refs(trivy("AWS-0046"), ids("CKV_AWS_83")), types("aws_elasticsearch_domain", "aws_opensearch_domain"), nil},
		{"aws-elasticsearch-outdated-tls", "Elasticsearch / OpenSearch domain allows outdated TLS", high, PracticeTLS,
			refs(trivy("AWS-0126"), ids("CKV_AWS_228")), types("aws_elasticsearch_domain", "aws_opensearch_domain"), nil},
		{"azure-app-service-plain-http", "App Service or Function App serves plain HTTP", high, PracticeTLS,
			refs(trivy("AZU-0072"), trivy("AZU-0004"), ids("CKV_AZURE_14", "CKV_AZURE_70")),
			types("azurerm_app_service", "azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_function_app", "azurerm_linux_function_app", "azurerm_windows_function_app"), azureAppService},
		{"azure-app-service-outdated-tls", "App Service or Function App allows outdated TLS", high, PracticeTLS,
			refs(trivy("AZU-0006"), ids("CKV_AZURE_15", "CKV_AZURE_145")), types("azurerm_app_service", "azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_function_app", "azurerm_linux_function_app", "azurerm_windows_function_app"), nil},
		{"azure-storage-plain-http", "Storage account accepts plain HTTP", high, PracticeTLS,
			refs(trivy("AZU-0008"), trivy("AZU-0059"), ids("CKV_AZURE_3")), types("azurerm_storage_account"), nil},
		{"azure-storage-outdated-tls", "Storage account allows outdated TLS", high, PracticeTLS,
			refs(trivy("AZU-0011"), trivy("AZU-0059"), ids("CKV_AZURE_44")), types("azurerm_storage_account"), nil},
		{"azure-database-ssl-off", "Database server accepts unencrypted connections", high, PracticeTLS,
			refs(trivy("AZU-0020"), ids("CKV_AZURE_29", "CKV_AZURE_28", "CKV_AZURE_47")), types("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"), nil},
		{"azure-database-outdated-tls", "Database server allows outdated TLS", medium, PracticeTLS,
			refs(trivy("AZU-0026"), ids("CKV_AZURE_52", "CKV_AZURE_54", "CKV_AZURE_147")), types("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mssql_server"), nil},
		{"gcp-ssl-policy-outdated-tls", "SSL policy allows outdated TLS", high, PracticeTLS,
			refs(trivy("GCP-0039"), ids("CKV_GCP_4")), types("google_compute_ssl_policy"), gcpSSLPolicy},
		{"gcp-sql-ssl-not-enforced", "Cloud SQL accepts unencrypted connections", high, PracticeTLS,
			refs(trivy("GCP-0015"), ids("CKV_GCP_6")), types("google_sql_database_instance"), nil},

		// WAF in front of entry points.
		{"aws-cloudfront-no-waf", "CloudFront distribution without a WAF", medium, PracticeWAF,
			refs(trivy("AWS-0011"), ids("CKV_AWS_68")), types("aws_cloudfront_distribution"), nil},
		{"aws-alb-no-waf", "Internet-facing load balancer without a WAF", medium, PracticeWAF,
			ids("CKV2_AWS_28"), types("aws_lb", "aws_alb"), awsALBWAF},
		{"aws-api-gateway-no-waf", "API Gateway stage without a WAF", medium, PracticeWAF,
			ids("CKV2_AWS_29"), types("aws_api_gateway_stage"), awsAPIGatewayWAF},
		{"azure-app-gateway-no-waf", "Application Gateway without a WAF", medium, PracticeWAF,
			ids("CKV_AZURE_120"), types("azurerm_application_gateway"), azureAppGatewayWAF},

		// Audit trails.
		{"aws-cloudtrail-single-region", "CloudTrail trail records one region only", medium, PracticeAuditTrails,
			refs(trivy("AWS-0014"), ids("CKV_AWS_67")), types("aws_cloudtrail"), awsCloudTrail},
		{"aws-cloudtrail-no-log-validation", "CloudTrail log file validation off", medium, PracticeAuditTrails,
			refs(trivy("AWS-0016"), ids("CKV_AWS_36")), types("aws_cloudtrail"), nil},
		{"azure-log-profile-incomplete", "Activity log profile misses categories", medium, PracticeAuditTrails,
			refs(trivy("AZU-0033"), ids("CKV_AZURE_38")), types("azurerm_monitor_log_profile"), azureLogProfile},
		{"gcp-audit-logs-incomplete", "Project audit logs incomplete", low, PracticeAuditTrails,
			refs(trivy("GCP-0079"), ids("CKV2_GCP_5")), types("google_project_iam_audit_config", "google_project"), gcpAuditConfig},

		// Least privilege.
		{"aws-iam-admin-policy", "IAM policy allows * on *", high, PracticeLeastPrivilege,
			ids("CKV_AWS_62", "CKV_AWS_1"),
			types("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role",
				"aws_sqs_queue_policy", "aws_sqs_queue", "data.aws_iam_policy_document"), awsPolicies},
		{"aws-iam-wildcard-action", "Policy allows every action of a service", medium, PracticeLeastPrivilege,
			refs(trivy("AWS-0345"), trivy("AWS-0097"), ids("CKV_AWS_63", "CKV_AWS_49", "CKV_AWS_72")), types("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role", "aws_sqs_queue_policy", "aws_sqs_queue", "data.aws_iam_policy_document"), nil},
		{"azure-role-wildcard", "Custom role allows every action", high, PracticeLeastPrivilege,
			refs(trivy("AZU-0030"), ids("CKV_AZURE_39")), types("azurerm_role_definition"), azureRoleDefinition},
		{"gcp-service-account-privileged", "Service account granted a basic or admin role", high, PracticeLeastPrivilege,
			refs(trivy("GCP-0007"), ids("CKV_GCP_42")),
			types("google_project_iam_member", "google_project_iam_binding", "google_folder_iam_member", "google_folder_iam_binding",
				"google_organization_iam_member", "google_organization_iam_binding"), gcpPrivilegedServiceAccount},

		// Public storage.
		{"aws-s3-no-public-access-block", "S3 bucket without a public access block", medium, PracticePublicStorage,
			refs(trivy("AWS-0094"), trivy("AWS-0086"), trivy("AWS-0087"), trivy("AWS-0091"), trivy("AWS-0093"), ids("CKV2_AWS_6")),
			types("aws_s3_bucket"), awsS3PublicAccessBlock},
		{"aws-s3-public-access-block-off", "S3 public access block leaves a setting off", high, PracticePublicStorage,
			refs(trivy("AWS-0086"), trivy("AWS-0087"), trivy("AWS-0091"), trivy("AWS-0093"), ids("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56")), types("aws_s3_bucket_public_access_block"), nil},
		{"aws-s3-public-acl", "S3 bucket has a public ACL", high, PracticePublicStorage,
			refs(trivy("AWS-0092"), ids("CKV_AWS_20", "CKV_AWS_57")), types("aws_s3_bucket", "aws_s3_bucket_acl"), awsS3PublicACL},
		{"azure-storage-container-public", "Storage container readable anonymously", high, PracticePublicStorage,
			refs(trivy("AZU-0007"), ids("CKV_AZURE_34")), types("azurerm_storage_container"), azureStorageContainer},
		{"gcp-bucket-public", "Cloud Storage bucket granted to allUsers", high, PracticePublicStorage,
			refs(trivy("GCP-0001"), ids("CKV_GCP_28")),
			types("google_storage_bucket_iam_binding", "google_storage_bucket_iam_member", "google_storage_bucket_acl", "google_storage_default_object_acl"), gcpBucketIAM},
	}
}
