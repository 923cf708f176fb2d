package lint

func ssRules() []Rule {
	return nil
}
