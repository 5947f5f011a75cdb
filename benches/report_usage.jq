# The usage report with jq (the README's recipe): jq -nR --arg from T --arg to T -f report_usage.jq LOG
reduce (inputs | fromjson? | select(.event == "user_action" and .timestamp >= $from and .timestamp < $to)) as $a
  ({}; .[$a.action.action_type][if ($a.session.user_id // "") == "" then "anonymous" else $a.session.user_id end] += 1)
| {summary: ., generated_at: (now | todate)}
