# The summary's figures with jq (the README's recipe): jq -nR --arg from T --arg to T -f report_summary.jq LOG
reduce (inputs | fromjson? | select(.event == "user_action" and .timestamp >= $from and .timestamp < $to)) as $a
  ({requests: 0, errors: 0, users: {}, features: {}, codes: {}};
   ($a.session.user_id // "") as $user
   | ($a.action.data.status_code) as $code
   | ($a.context.feature // $a.action.data.feature) as $feature
   | if $user != "" then .users[$user].actions += 1 else . end
   | if $code == null then .
     else .requests += 1
       | if $feature then .features[$feature] += 1 else . end
       | if $user != "" then .users[$user].requests += 1 | .users[$user].features[$feature // ""] = true else . end
       | if $code >= 400 then
           .errors += 1 | .codes[$code | tostring] += 1
           | if $user != "" then .users[$user].errors += [{endpoint: ($a.context.url | split("?")[0]), error: $a.action.result, timestamp: $a.timestamp, code: $code}] else . end
         else . end
     end)
| {active_users: (.users | length), total_requests: .requests, total_errors: .errors,
   users: [.users | to_entries[] | {user_id: .key, requests_count: (.value.requests // 0),
           errors_count: (.value.errors // [] | length), features_used: (.value.features // {} | keys),
           errors: (.value.errors // [])}],
   top_features: [.features | to_entries | sort_by(-.value, .key)[] | {name: .key, count: .value}],
   error_breakdown: .codes}
