package lessons

// Topic is a group of lessons in the library.
type Topic struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Topics are the library's topics in reading order: a lesson's first topic
// is where it is listed.
var Topics = []Topic{
	{"fundamentals", "Fundamentals"},
	{"secrets", "Secrets"},
	{"dependencies", "Dependencies"},
	{"containers", "Containers and clusters"},
	{"access", "Identity and access"},
	{"data", "Data"},
	{"infrastructure", "Infrastructure"},
	{"pipeline", "Pipeline and CI"},
	{"operations", "Operations"},
}

// PrimaryTopic is the lesson's first topic ("" when it has none).
func (l *Lesson) PrimaryTopic() string {
	if len(l.Topics) == 0 {
		return ""
	}
	return l.Topics[0]
}

// ByTopic groups lessons by their primary topic, in the order of Topics; a
// lesson whose topic is not in Topics goes into a last group "other".
func ByTopic(ls []*Lesson) []TopicLessons {
	index := map[string]int{}
	groups := make([]TopicLessons, len(Topics))
	for i, t := range Topics {
		groups[i].Topic = t
		index[t.ID] = i
	}
	var other []*Lesson
	for _, l := range ls {
		if i, ok := index[l.PrimaryTopic()]; ok {
			groups[i].Lessons = append(groups[i].Lessons, l)
		} else {
			other = append(other, l)
		}
	}
	var out []TopicLessons
	for _, g := range groups {
		if len(g.Lessons) > 0 {
			out = append(out, g)
		}
	}
	if len(other) > 0 {
		out = append(out, TopicLessons{Topic: Topic{"other", "Other"}, Lessons: other})
	}
	return out
}

// TopicLessons is one topic and its lessons.
type TopicLessons struct {
	Topic   Topic
	Lessons []*Lesson
}
