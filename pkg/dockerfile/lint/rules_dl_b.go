package lint

func dlRulesB() []Rule {
	return nil
}
