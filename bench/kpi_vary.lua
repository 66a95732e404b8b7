-- A different year-long range per request (9 408 distinct ranges in turn, more than the answer
-- cache's 1 024 entries): every request computes its answer.
counter = 0
request = function()
  counter = counter + 1
  local n = counter % 9408
  local from_day = (n % 28) + 1
  local to_day = (math.floor(n / 28) % 28) + 1
  local to_month = (math.floor(n / 784) % 12) + 1
  local path = string.format("/v1/kpis?from=2024-01-%02d&to=2024-%02d-%02d&group_by=merchandiser",
                             from_day, to_month, to_day)
  return wrk.format("GET", path)
end
