package secrets

// GenericStopWords are the words whose presence in a value makes gitleaks'
// generic-api-key rule pass over it.
func GenericStopWords() []string {
	cfg, err := defaultConfig()
	if err != nil {
		panic(err)
	}
	var words []string
	for _, a := range cfg.Rules[genericRuleID].Allowlists {
		words = append(words, a.StopWords...)
	}
	return words
}
