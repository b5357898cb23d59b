# zt_add_service: one service's libraries, executable and tests, the same shape for every service
# (domain / store / clients / api layers, main.cc the composition root; README.md, Layout).
#
#   zt_add_service(<name>
#     DOMAIN  <src...> [DOMAIN_LIBS  <lib...>]   zt_<name>_domain: the business; links no gRPC, protobuf, pqxx, hiredis
#     [STORE   <src...> [STORE_LIBS   <lib...>]] zt_<name>_store: domain + zt_pg; embeds migrations/*.sql
#     [CLIENTS <src...> [CLIENTS_LIBS <lib...>]] zt_<name>_clients: domain + zt_server + zt_protos + zt_proto_convert
#     [API     <src...> [API_LIBS     <lib...>]] zt_<name>_api: domain + zt_server + zt_protos + zt_proto_convert
#     [INGEST  <src...> [INGEST_LIBS  <lib...>]] zt_<name>_ingest: other services' events -> store (zt_events)
#     MAIN    <src...> [MAIN_LIBS    <lib...>]   the executable zt-<name>, linking every layer above
#     [FAKES   <src...>]                         zt_<name>_testing: test fakes of the domain's interfaces
#     [DOMAIN_TESTS <src...>]                    zt_<name>_domain_test (label unit): domain (+ fakes)
#     [STORE_TESTS  <src...>]                    zt_<name>_store_test (label store): store, ingest, zt_testing (+ fakes)
#     [API_TESTS    <src...>]                    zt_<name>_api_test (label unit): api, zt_api_testing (+ fakes)
#     [TEST_LIBS    <lib...>])                   more libraries for every test of the service
#
# Sources are relative to the calling folder (services/<name>/). Every library gets the repository root as its
# include directory, so includes read "services/<name>/domain/...". What the domain links, directly or through
# other targets, is checked once every target is defined (zt_check_domain_links below).
function(zt_add_service name)
  set(layers DOMAIN STORE CLIENTS API INGEST MAIN)
  set(multi FAKES DOMAIN_TESTS STORE_TESTS API_TESTS TEST_LIBS)
  foreach(layer ${layers})
    list(APPEND multi ${layer} ${layer}_LIBS)
  endforeach()
  cmake_parse_arguments(ARG "" "" "${multi}" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "zt_add_service(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_DOMAIN OR NOT ARG_MAIN)
    message(FATAL_ERROR "zt_add_service(${name}): DOMAIN and MAIN sources are required")
  endif()
  set(prefix zt_${name})

  add_library(${prefix}_domain STATIC ${ARG_DOMAIN})
  target_include_directories(${prefix}_domain PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${prefix}_domain PUBLIC ${ARG_DOMAIN_LIBS})
  zt_check_domain_links(${prefix}_domain)
  set(layer_targets)

  if(ARG_STORE)
    # SQL lives here only. The migrations are embedded into this library.
    add_library(${prefix}_store STATIC ${ARG_STORE})
    target_link_libraries(${prefix}_store PUBLIC ${prefix}_domain zt_pg ${ARG_STORE_LIBS})
    zt_embed_migrations(${prefix}_store NAMESPACE zhongtai::${name} DIR migrations)
    list(APPEND layer_targets ${prefix}_store)
  endif()
  if(ARG_CLIENTS)
    add_library(${prefix}_clients STATIC ${ARG_CLIENTS})
    target_link_libraries(${prefix}_clients PUBLIC ${prefix}_domain zt_server zt_protos zt_proto_convert
                          ${ARG_CLIENTS_LIBS})
    list(APPEND layer_targets ${prefix}_clients)
  endif()
  if(ARG_API)
    add_library(${prefix}_api STATIC ${ARG_API})
    target_link_libraries(${prefix}_api PUBLIC ${prefix}_domain zt_server zt_protos zt_proto_convert ${ARG_API_LIBS})
    list(APPEND layer_targets ${prefix}_api)
  endif()
  if(ARG_INGEST)
    if(NOT ARG_STORE)
      message(FATAL_ERROR "zt_add_service(${name}): INGEST writes through the STORE layer")
    endif()
    add_library(${prefix}_ingest STATIC ${ARG_INGEST})
    target_link_libraries(${prefix}_ingest PUBLIC ${prefix}_store zt_events zt_protos ${ARG_INGEST_LIBS})
    list(APPEND layer_targets ${prefix}_ingest)
  endif()

  add_executable(zt-${name} ${ARG_MAIN})
  target_link_libraries(zt-${name} PRIVATE ${layer_targets} ${ARG_MAIN_LIBS})

  set(fakes)
  if(ARG_FAKES)
    add_library(${prefix}_testing STATIC ${ARG_FAKES})
    target_link_libraries(${prefix}_testing PUBLIC ${prefix}_domain)
    set(fakes ${prefix}_testing)
  endif()
  if(ARG_DOMAIN_TESTS)
    zt_add_test(${prefix}_domain_test SOURCES ${ARG_DOMAIN_TESTS} LIBS ${prefix}_domain ${fakes} ${ARG_TEST_LIBS})
  endif()
  if(ARG_STORE_TESTS)
    set(libs ${prefix}_store zt_testing)
    if(ARG_INGEST)
      list(APPEND libs ${prefix}_ingest)
    endif()
    zt_add_test(${prefix}_store_test SOURCES ${ARG_STORE_TESTS} LIBS ${libs} ${fakes} ${ARG_TEST_LIBS} LABELS store)
  endif()
  if(ARG_API_TESTS)
    zt_add_test(${prefix}_api_test SOURCES ${ARG_API_TESTS} LIBS ${prefix}_api zt_api_testing zt_grpc_status ${fakes}
                ${ARG_TEST_LIBS})
  endif()
endfunction()

# The domain layer must not reach gRPC, protobuf, PostgreSQL or Redis, not even through another library: this
# walks <target>'s link libraries transitively once all targets exist (at the end of the top-level
# CMakeLists.txt) and stops the configure step on the first forbidden one, naming the path to it.
set(ZT_DOMAIN_FORBIDDEN_LINKS
    "^gRPC::" "^protobuf::" "^PkgConfig::PQXX$" "^PkgConfig::HIREDIS$" "grpc" "protobuf" "pqxx" "hiredis"
    "^zt_protos$" "^zt_proto_convert$" "^zt_pg$" "^zt_redis$" "^zt_events$" "^zt_server$" "^zt_grpc_status$"
    CACHE INTERNAL "")

function(zt_check_domain_links target)
  # A deferred call evaluates its arguments when it runs: EVAL puts the name in now.
  set(call "cmake_language(DEFER DIRECTORY [[${PROJECT_SOURCE_DIR}]] CALL zt_check_domain_links_now [[${target}]])")
  cmake_language(EVAL CODE "${call}")
endfunction()

function(zt_check_domain_links_now target)
  set(queue ${target})
  set(seen ${target})
  string(MAKE_C_IDENTIFIER "via_${target}" key)
  set(${key} ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(NOT TARGET ${current})
      continue()
    endif()
    string(MAKE_C_IDENTIFIER "via_${current}" key)
    set(path "${${key}}")
    get_target_property(type ${current} TYPE)
    set(deps)
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(interface ${current} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND deps ${interface})
    endif()
    foreach(dep ${deps})
      # $<LINK_ONLY:x> and similar wrappers: check what they wrap.
      string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" dep "${dep}")
      if(dep MATCHES "^\\$<" OR dep IN_LIST seen)
        continue()
      endif()
      foreach(pattern ${ZT_DOMAIN_FORBIDDEN_LINKS})
        if(dep MATCHES "${pattern}")
          message(FATAL_ERROR "${target} links ${dep} (via ${path}): the domain layer links no gRPC, "
                              "protobuf, pqxx or hiredis; move that code to store/, clients/ or api/")
        endif()
      endforeach()
      list(APPEND seen ${dep})
      list(APPEND queue ${dep})
      string(MAKE_C_IDENTIFIER "via_${dep}" key)
      set(${key} "${path} -> ${dep}")
    endforeach()
  endwhile()
endfunction()
