package lint

func dlRulesA() []Rule {
	return nil
}
