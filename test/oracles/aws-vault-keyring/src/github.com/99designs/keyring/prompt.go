package keyring

// The one declaration of 99designs/keyring prompt.go that config.go needs, copied as is. The rest
// of prompt.go (TerminalPrompt) needs golang.org/x/term, which Debian does not package; the
// secretservice backend never prompts through it.

// PromptFunc is a function used to prompt the user for a password.
type PromptFunc func(string) (string, error)
