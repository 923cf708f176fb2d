package lint

func buildkitRules() []Rule {
	return nil
}
