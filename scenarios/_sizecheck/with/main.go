package main

import (
	"fmt"

	"github.com/causeway-sre/causeway/queries/engine"
)

func main() { fmt.Println(engine.New("x", nil).Name()) }
