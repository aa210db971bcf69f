package drill

import (
	"fmt"
	"time"
)

// MaxHints is the number of hints a drill offers.
const MaxHints = 3

// HintRegion is the width of the time region the second hint gives.
const HintRegion = 5 * time.Minute

// Hint returns hint n (1-based) for the key; each reveals more: 1 the family
// to look at, 2 the time region of the onset, 3 the entity. It returns ""
// when n is out of range.
func Hint(key Key, n int) string {
	if n < 1 || n > MaxHints {
		return ""
	}
	if key.Quiet {
		switch n {
		case 1:
			return "Compare every signal with its baseline: does any change stand out from the day's normal noise?"
		case 2:
			return "The changes in this window also appear in its baseline."
		default:
			return "Nothing in this window is an incident: the right answer is to mark no root cause."
		}
	}
	switch n {
	case 1:
		return fmt.Sprintf("Look at the %s signals.", key.Root.Family)
	case 2:
		if key.Root.At.IsZero() {
			return fmt.Sprintf("The onset is not known for this drill: look for the first %s signal to move.", key.Root.Family)
		}
		from := key.Root.At.UTC().Truncate(HintRegion)
		return fmt.Sprintf("It started between %s and %s UTC.", from.Format("15:04"), from.Add(HintRegion).Format("15:04"))
	default:
		if len(key.Root.Entity) == 0 {
			return fmt.Sprintf("Any %s signal will do: the key names no single entity.", key.Root.Family)
		}
		return fmt.Sprintf("The cause shows on %s.", entityString(key.Root.Entity))
	}
}
