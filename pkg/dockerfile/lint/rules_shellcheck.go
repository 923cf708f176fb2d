package lint

func shellcheckRules() []Rule {
	return nil
}
