package main

import (
	"fmt"

	"github.com/causeway-sre/causeway/queries"
)

func main() { fmt.Println(queries.Window{}.Points()) }
