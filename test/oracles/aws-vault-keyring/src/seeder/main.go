// Seeds and reads aws-vault's Secret Service items through 99designs/keyring's own secretservice
// backend (with gsterjov/go-libsecret and godbus), configured as aws-vault's cli/global.go
// configures it: ServiceName "aws-vault", LibSecretCollectionName "awsvault". See ../../README.md.
//
//	seeder set     stdin: a JSON array of keyring.Item (Data as base64, as encoding/json writes []byte)
//	seeder keys    stdout: the JSON array Keys() returns
//	seeder get K   stdout: the keyring.Item Get(K) returns, as JSON
//	seeder lock    locks the collection (Secret Service Lock; gnome-keyring needs no prompt for it)
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/99designs/keyring"
	libsecret "github.com/gsterjov/go-libsecret"
)

func collectionName() string {
	if name := os.Getenv("AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME"); name != "" {
		return name
	}
	return "awsvault"
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "seeder:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: seeder set|keys|get KEY|lock")
	}
	if args[0] == "lock" {
		return lock()
	}
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:         []keyring.BackendType{keyring.SecretServiceBackend},
		ServiceName:             "aws-vault",
		LibSecretCollectionName: collectionName(),
	})
	if err != nil {
		return err
	}
	switch args[0] {
	case "set":
		var items []keyring.Item
		if err := json.NewDecoder(os.Stdin).Decode(&items); err != nil {
			return err
		}
		for _, item := range items {
			if err := ring.Set(item); err != nil {
				return err
			}
		}
		return nil
	case "keys":
		keys, err := ring.Keys()
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(keys)
	case "get":
		item, err := ring.Get(args[1])
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(item)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func lock() error {
	service, err := libsecret.NewService()
	if err != nil {
		return err
	}
	collections, err := service.Collections()
	if err != nil {
		return err
	}
	for _, c := range collections {
		if string(c.Path()) == libsecret.DBusPath+"/collection/"+collectionName() {
			return service.Lock(c)
		}
	}
	return fmt.Errorf("no collection %q", collectionName())
}
